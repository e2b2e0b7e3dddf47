#!/bin/sh
# An init script: runs once per store after the server answers, with AWS_ENDPOINT_URL, the root
# credentials and the region in its environment (so `aws`, boto3 and the SDKs reach this server).
# The image has no aws CLI; the coffer CLI talks to the server through COFFER_ENDPOINT.
set -eu
export COFFER_ENDPOINT="$AWS_ENDPOINT_URL"
coffer put /dev/app/feature-flags 'checkout,search' --type StringList --description 'enabled features'
