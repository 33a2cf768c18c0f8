// Every test runs offline, against loopback only: no real AWS credentials or metadata service.
process.env.AWS_REGION = "us-east-1";
process.env.AWS_ACCESS_KEY_ID = "test";
process.env.AWS_SECRET_ACCESS_KEY = "test";
process.env.AWS_EC2_METADATA_DISABLED = "true";
process.env.CHECKPOINT_DISABLE = "1";
process.env.CDKTF_DISABLE_PLUGIN_CACHE_ENV = "1";
// The SDK warns once per process that Node 20 nears its end of support; the warning is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
