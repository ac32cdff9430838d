#!/usr/bin/env bash
# After the Actionable Email Developer Dashboard has created the provider: configures the provider's Entra app so
# Microsoft's Actions service can get click tokens for it. Sets the dashboard's App ID URI, exposes the scope (admins
# only) and pre-authorizes the Actions service (48af08dc-f6d2-435f-b2a7-069abd99c086) for it. Idempotent.
# Usage: infra/scripts/configure-provider-app.sh <provider app client id> <AppIdUri from the dashboard> [scope, default Global.Test]
set -euo pipefail
app_id="${1:?usage: configure-provider-app.sh <client id> <app id uri> [scope]}"
app_id_uri="${2:?usage: configure-provider-app.sh <client id> <app id uri> [scope]}"
scope="${3:-Global.Test}"
actions_service=48af08dc-f6d2-435f-b2a7-069abd99c086

object_id=$(az ad app show --id "$app_id" --query id --output tsv)
az ad app update --id "$app_id" --identifier-uris "$app_id_uri"

scope_id=$(az ad app show --id "$app_id" --query "api.oauth2PermissionScopes[?value=='$scope'].id | [0]" --output tsv)
if [ -z "$scope_id" ]; then
  scope_id=$(cat /proc/sys/kernel/random/uuid)
  az rest --method patch --url "https://graph.microsoft.com/v1.0/applications/$object_id" --headers "Content-Type=application/json" \
    --body "{\"api\":{\"oauth2PermissionScopes\":[{\"id\":\"$scope_id\",\"value\":\"$scope\",\"type\":\"Admin\",\"isEnabled\":true,\"adminConsentDisplayName\":\"Answer IoTOwnerBot questions from Outlook\",\"adminConsentDescription\":\"Lets the Actionable Messages service send the clicks of IoTOwnerBot cards on behalf of the signed-in user.\"}]}}"
fi
az rest --method patch --url "https://graph.microsoft.com/v1.0/applications/$object_id" --headers "Content-Type=application/json" \
  --body "{\"api\":{\"preAuthorizedApplications\":[{\"appId\":\"$actions_service\",\"delegatedPermissionIds\":[\"$scope_id\"]}]}}"
az ad sp show --id "$app_id" --output none 2>/dev/null || az ad sp create --id "$app_id" --output none

echo "Outlook__AppIdUri=$app_id_uri"
echo "Outlook__ClientId=$app_id"
echo "Outlook__RequiredScope=$scope"
