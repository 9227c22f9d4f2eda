from .responses import FeatureStoreRuntimeResponse

url_bases = [r"https?://featurestore-runtime\.sagemaker\.(.+)\.amazonaws\.com"]

url_paths = {
    # a name, or an ARN whose encoded "/" the server has decoded; moto's router splits the rest
    "{0}/FeatureGroup/(?P<resource>.+)$": FeatureStoreRuntimeResponse.dispatch,
    "{0}/BatchGetRecord$": FeatureStoreRuntimeResponse.dispatch,
    "{0}/BatchWriteRecord$": FeatureStoreRuntimeResponse.dispatch,
}
