// The thin forwarder playbook: the Microsoft Sentinel incident trigger, then one HTTP POST of the trigger body to
// the service's /api/incidents with a managed-identity token for the intake audience. It holds no logic and no
// secret; the service is idempotent, so a retried run is harmless.

param name string
param location string

@description('User-assigned identity of the playbook; its client id is the only caller Intake:AllowedCallers accepts.')
param identityResourceId string
param intakeUrl string
param intakeAudience string

@description('Object id of the "Azure Security Insights" service principal, which runs playbooks for automation rules.')
param sentinelPrincipalObjectId string

var sentinelAutomationContributor = 'f4c81013-99ee-4d62-a7ee-b3f1f648599a'
var sentinelApiId = subscriptionResourceId('Microsoft.Web/locations/managedApis', location, 'azuresentinel')

resource connection 'Microsoft.Web/connections@2016-06-01' = {
  name: '${name}-azuresentinel'
  location: location
  properties: {
    displayName: 'IoTOwnerBot forwarder (managed identity)'
    // A managed-identity connection is declared this way (Microsoft's own Sentinel playbooks do); the published type
    // definition of this old api-version lacks the property.
    #disable-next-line BCP037
    parameterValueType: 'Alternative'
    api: {
      id: sentinelApiId
    }
  }
}

resource playbook 'Microsoft.Logic/workflows@2019-05-01' = {
  name: '${name}-forwarder'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    state: 'Enabled'
    definition: {
      '$schema': 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#'
      contentVersion: '1.0.0.0'
      parameters: {
        '$connections': {
          type: 'Object'
          defaultValue: {}
        }
      }
      triggers: {
        Microsoft_Sentinel_incident: {
          type: 'ApiConnectionWebhook'
          inputs: {
            host: {
              connection: {
                name: '@parameters(\'$connections\')[\'azuresentinel\'][\'connectionId\']'
              }
            }
            body: {
              callback_url: '@{listCallbackUrl()}'
            }
            path: '/incident-creation'
          }
        }
      }
      actions: {
        Forward_to_IoTOwnerBot: {
          type: 'Http'
          runAfter: {}
          inputs: {
            method: 'POST'
            uri: intakeUrl
            headers: {
              'Content-Type': 'application/json'
            }
            body: '@triggerBody()'
            authentication: {
              type: 'ManagedServiceIdentity'
              identity: identityResourceId
              audience: intakeAudience
            }
          }
          runtimeConfiguration: {
            secureData: {
              properties: [
                'inputs'
              ]
            }
          }
        }
      }
      outputs: {}
    }
    parameters: {
      '$connections': {
        value: {
          azuresentinel: {
            connectionId: connection.id
            connectionName: connection.name
            id: sentinelApiId
            connectionProperties: {
              authentication: {
                type: 'ManagedServiceIdentity'
                identity: identityResourceId
              }
            }
          }
        }
      }
    }
  }
}

// Automation rules run playbooks as Sentinel's own service principal, which needs this role where the playbook is.
resource runPlaybooks 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, sentinelPrincipalObjectId, sentinelAutomationContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', sentinelAutomationContributor)
    principalId: sentinelPrincipalObjectId
    principalType: 'ServicePrincipal'
  }
}

output logicAppId string = playbook.id
