// Everything on the Microsoft Sentinel workspace (possibly in another resource group or subscription): the
// service identity's roles and the automation rule that runs the forwarder for Defender for IoT incidents.

param workspaceName string
param servicePrincipalId string
param playbookResourceId string

@description('Alert products that make an incident a Defender for IoT incident (as Sentinel:IoTProductNames).')
param iotProductNames array = [
  'Azure Defender for IoT'
  'Microsoft Defender for IoT'
]

var sentinelResponder = '3e150937-b8fe-4cfb-8069-0eaf05ecd056'
var logAnalyticsReader = '73c42c96-874c-492b-b04d-ab87d138a893'

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' existing = {
  name: workspaceName
}

// Read incidents, alerts and entities; write comments, labels, status, classification.
resource responder 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, servicePrincipalId, sentinelResponder)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', sentinelResponder)
    principalId: servicePrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The SecurityAlert owner query of the Log Analytics query API.
resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, servicePrincipalId, logAnalyticsReader)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', logAnalyticsReader)
    principalId: servicePrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource askOwners 'Microsoft.SecurityInsights/automationRules@2025-09-01' = {
  name: guid(workspace.id, playbookResourceId)
  scope: workspace
  properties: {
    displayName: 'IoTOwnerBot: ask the device owners'
    order: 100
    triggeringLogic: {
      isEnabled: true
      triggersOn: 'Incidents'
      triggersWhen: 'Created'
      conditions: [
        {
          conditionType: 'Property'
          conditionProperties: {
            propertyName: 'AlertProductNames'
            operator: 'Equals'
            propertyValues: iotProductNames
          }
        }
      ]
    }
    actions: [
      {
        order: 1
        actionType: 'RunPlaybook'
        actionConfiguration: {
          logicAppResourceId: playbookResourceId
          tenantId: tenant().tenantId
        }
      }
    ]
  }
}

@description('The workspace GUID (Sentinel:Workspaces:0:WorkspaceId).')
output customerId string = workspace.properties.customerId
