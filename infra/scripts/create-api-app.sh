#!/usr/bin/env bash
# Creates the service's API app registration: the audience of intake tokens (the forwarder playbook) and of SOC API
# tokens, with the app role SOC callers need. Prints the value for the template's apiAudience parameter.
# Usage: infra/scripts/create-api-app.sh [display name]      (Azure CLI, signed in as an Application Administrator)
set -euo pipefail
name="${1:-IoTOwnerBot API}"

app_id=$(az ad app list --display-name "$name" --query "[0].appId" --output tsv)
if [ -z "$app_id" ]; then
  app_id=$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg --query appId --output tsv)
  echo "created app registration '$name' ($app_id)" >&2
else
  echo "app registration '$name' exists ($app_id)" >&2
fi
az ad app update --id "$app_id" --identifier-uris "api://$app_id"

# The SOC API's app role (SocApi:RequiredRole), assignable to users and apps.
role_id=$(az ad app show --id "$app_id" --query "appRoles[?value=='IoTOwnerBot.Soc'].id | [0]" --output tsv)
if [ -z "$role_id" ]; then
  role_id=$(cat /proc/sys/kernel/random/uuid)
  az ad app update --id "$app_id" --app-roles "[{\"allowedMemberTypes\":[\"User\",\"Application\"],\"description\":\"Read, cancel and re-ask IoTOwnerBot questions\",\"displayName\":\"IoTOwnerBot SOC\",\"id\":\"$role_id\",\"isEnabled\":true,\"value\":\"IoTOwnerBot.Soc\"}]"
fi
az ad sp show --id "$app_id" --output none 2>/dev/null || az ad sp create --id "$app_id" --output none

echo "api://$app_id"
