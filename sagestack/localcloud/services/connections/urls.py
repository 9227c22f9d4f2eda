from .responses import CodeConnectionsResponse, CodeStarConnectionsResponse

# JSON protocol: every operation is a POST to "/", told apart by X-Amz-Target
codeconnections_url_bases = [r"https?://codeconnections\.(.+)\.amazonaws\.com"]
codeconnections_url_paths = {"{0}/$": CodeConnectionsResponse.dispatch}

codestar_connections_url_bases = [r"https?://codestar-connections\.(.+)\.amazonaws\.com"]
codestar_connections_url_paths = {"{0}/$": CodeStarConnectionsResponse.dispatch}
