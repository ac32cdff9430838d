// Key Vault with the service's secrets. The secrets are generated once, inside Azure, by a deployment script
// (32+ random bytes each) and never pass through a parameter, an output or a log; a redeployment keeps them, so
// cards already sent keep working. The app reads them through Key Vault references.

param name string
param location string

@description('Principal that reads the secrets (the service\'s managed identity).')
param readerPrincipalId string

@description('Id of the action-token key (Outlook:ActionTokenKeys:0:Id); a new id adds a new key, the old secret stays.')
param actionTokenKeyId string = 'k1'

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
var actionTokenSecretName = 'outlook-action-token-key-${actionTokenKeyId}'
var intakeSecretName = 'intake-hmac-secret'

resource vault 'Microsoft.KeyVault/vaults@2026-02-01' = {
  name: 'kv-${uniqueString(resourceGroup().id, name)}'
  location: location
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource readSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, readerPrincipalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The script's own identity may only write secrets of this vault.
resource generatorIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${name}-secrets-id'
  location: location
}

resource writeSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, generatorIdentity.id, keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
    principalId: generatorIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource generate 'Microsoft.Resources/deploymentScripts@2023-08-01' = {
  name: '${name}-generate-secrets'
  location: location
  kind: 'AzureCLI'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${generatorIdentity.id}': {}
    }
  }
  properties: {
    azCliVersion: '2.67.0'
    retentionInterval: 'PT1H'
    cleanupPreference: 'Always'
    timeout: 'PT20M'
    environmentVariables: [
      {
        name: 'VAULT_NAME'
        value: vault.name
      }
      {
        name: 'SECRET_NAMES'
        value: '${actionTokenSecretName} ${intakeSecretName}'
      }
    ]
    scriptContent: loadTextContent('../scripts/generate-secrets.sh')
  }
  dependsOn: [
    writeSecrets
  ]
}

// The module completes only after the script: the app's Key Vault references never point at a missing secret.
output vaultName string = vault.name
output actionTokenKeyId string = actionTokenKeyId
// Versionless URIs: the app follows a rotated secret.
output actionTokenKeySecretUri string = '${vault.properties.vaultUri}secrets/${actionTokenSecretName}'
output intakeSecretUri string = '${vault.properties.vaultUri}secrets/${intakeSecretName}'
