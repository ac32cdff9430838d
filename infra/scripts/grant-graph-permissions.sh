#!/usr/bin/env bash
# Grants the service's managed identity the Microsoft Graph application permissions it needs, with admin consent
# (an app role assignment on Microsoft Graph's service principal is the consent). Idempotent.
# Usage: infra/scripts/grant-graph-permissions.sh <service identity object id> [--soc-group]
#   (the template's output serviceIdentityPrincipalId; signed in as a Privileged Role Administrator or Global Administrator)
#   User.Read.All                                  owners, their managers and languages from the directory
#   Mail.Send                                      the questions by Outlook (limit it to the sender: limit-mail-send.ps1)
#   Mail.Read                                      the Sent Items check before a resend (never send twice)
#   TeamsAppInstallation.ReadWriteSelfForUser.All  installing the bot's Teams app for owners who do not have it
#   Chat.Read.All                                  after a Teams post of unknown outcome: is the card in the owner's chat?
#   AppCatalog.Read.All                            the doctor's check that the Teams app is in the org catalog (read only)
#   GroupMember.Read.All                           with --soc-group: SocThread:MemberGroupId membership checks
set -euo pipefail
principal="${1:?usage: grant-graph-permissions.sh <service identity object id> [--soc-group]}"
permissions=(User.Read.All Mail.Send Mail.Read TeamsAppInstallation.ReadWriteSelfForUser.All Chat.Read.All AppCatalog.Read.All)
[ "${2:-}" = "--soc-group" ] && permissions+=(GroupMember.Read.All)

graph_app_id=00000003-0000-0000-c000-000000000000
graph_sp=$(az ad sp show --id "$graph_app_id" --query id --output tsv)
existing=$(az rest --method get --url "https://graph.microsoft.com/v1.0/servicePrincipals/$principal/appRoleAssignments" \
  --query "value[?resourceId=='$graph_sp'].appRoleId" --output tsv)

for permission in "${permissions[@]}"; do
  role=$(az ad sp show --id "$graph_app_id" --query "appRoles[?value=='$permission' && contains(allowedMemberTypes, 'Application')].id | [0]" --output tsv)
  if [ -z "$role" ]; then
    echo "✗ $permission: no such application permission on Microsoft Graph" >&2
    exit 1
  fi
  if grep -qx "$role" <<<"$existing"; then
    echo "✔ $permission (already granted)"
    continue
  fi
  az rest --method post --url "https://graph.microsoft.com/v1.0/servicePrincipals/$principal/appRoleAssignments" \
    --headers "Content-Type=application/json" \
    --body "{\"principalId\":\"$principal\",\"resourceId\":\"$graph_sp\",\"appRoleId\":\"$role\"}" --output none
  echo "✔ $permission (granted)"
done
echo "A managed identity's tokens are cached for up to 24 hours: restart the app (az webapp restart) before running the doctor."
