#!/usr/bin/env bash
# Builds the Teams app package for the deployed bot and publishes it to the organization's app catalog (a new app, or a
# new version of the one already there). Prints the catalog id for the template's teamsAppId parameter (Bot:TeamsAppId).
# Usage: infra/scripts/upload-teams-app.sh <bot app id (serviceIdentityClientId)> <host, e.g. iotownerbot-contoso.azurewebsites.net>
#   (Azure CLI signed in as a Teams Administrator; uses Graph AppCatalog.Submit / AppCatalog.ReadWrite.All delegated)
set -euo pipefail
bot_id="${1:?usage: upload-teams-app.sh <bot app id> <host>}"
host="${2:?usage: upload-teams-app.sh <bot app id> <host>}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
package="$(mktemp -d)/iotownerbot-teams.zip"

dotnet run --project "$repo/src/IoTOwnerBot" -p:SkipLabBuild=true -- manifest --bot-id "$bot_id" --domain "$host" --out "$package" >&2
external_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$repo/manifest/manifest.json")

# The zip goes up as bytes (az rest would send it as text).
token=$(az account get-access-token --resource https://graph.microsoft.com --query accessToken --output tsv)
upload() {
  curl --fail-with-body --silent --show-error -X POST "$1" -H "Authorization: Bearer $token" \
    -H "Content-Type: application/zip" --data-binary "@$package"
}

existing=$(az rest --method get --url "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps?\$filter=externalId eq '$external_id'" \
  --query "value[0].id" --output tsv)
if [ -z "$existing" ]; then
  id=$(upload "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  echo "uploaded to the org catalog" >&2
else
  upload "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/$existing/appDefinitions" >/dev/null
  id="$existing"
  echo "new version of the app in the org catalog (bump version in manifest/manifest.json for every upload)" >&2
fi
echo "$id"
