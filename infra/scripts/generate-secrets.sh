#!/usr/bin/env bash
# Runs inside Azure as the deployment script of infra/modules/keyvault.bicep: creates each secret of
# $SECRET_NAMES in $VAULT_NAME with 48 random bytes (base64) unless it already exists. Values are never printed.
set -euo pipefail

for secret in $SECRET_NAMES; do
  for attempt in $(seq 1 30); do
    if output=$(az keyvault secret show --vault-name "$VAULT_NAME" --name "$secret" --query id --output tsv 2>&1); then
      echo "$secret: exists, kept"
      break
    elif grep -q 'SecretNotFound' <<<"$output"; then
      az keyvault secret set --vault-name "$VAULT_NAME" --name "$secret" --output none \
        --value "$(head -c 48 /dev/urandom | base64 | tr -d '\n')"
      echo "$secret: generated"
      break
    fi
    # The role assignment of this script's identity may not have propagated yet.
    echo "$secret: vault not readable yet (attempt $attempt), waiting"
    sleep 10
    if [ "$attempt" = 30 ]; then
      echo "$secret: giving up" >&2
      exit 1
    fi
  done
done
