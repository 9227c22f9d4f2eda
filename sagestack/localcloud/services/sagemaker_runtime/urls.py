from .responses import SageMakerRuntimeResponse

url_bases = [r"https?://runtime\.sagemaker\.(.+)\.amazonaws\.com"]

url_paths = {
    "{0}/endpoints/(?P<name>[^/]+)/invocations$": SageMakerRuntimeResponse.dispatch,
    "{0}/endpoints/(?P<name>[^/]+)/async-invocations$": SageMakerRuntimeResponse.dispatch,
    "{0}/endpoints/(?P<name>[^/]+)/invocations-response-stream$": SageMakerRuntimeResponse.dispatch,
}
