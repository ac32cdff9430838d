using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator;
using IoTOwnerBot.Sentinel;

using IoTOwnerBot.Tests.Infrastructure;

namespace IoTOwnerBot.Tests.Infra;

/// <summary>
/// infra/: the Bicep compiles and lints clean with the Bicep CLI from NuGet (which type-checks every resource against
/// Azure's schemas offline), the checked-in azuredeploy.json is exactly its output, and the compiled template wires
/// the service the way it needs: keys, roles, channels, outputs, the forwarder.
/// </summary>
[Collection(ServiceProcesses.Name)]
public sealed class TemplateTests
{
    private static readonly JsonObject Template = DeploymentTemplate.Load();

    [Fact]
    public async Task Bicep_LintsWithoutErrorsOrWarnings()
    {
        var lint = await DeploymentTemplate.RunAsync(DeploymentTemplate.BicepPath, ["lint", "main.bicep"], DeploymentTemplate.InfraDirectory);

        Assert.True(lint.ExitCode == 0 && lint.Output.Trim().Length == 0 && lint.Error.Trim().Length == 0,
            $"bicep lint reported:\n{lint.Output}{lint.Error}");
    }

    [Fact]
    public async Task Bicep_Build_IsExactlyTheCheckedInTemplate()
    {
        var build = await DeploymentTemplate.RunAsync(DeploymentTemplate.BicepPath, ["build", "main.bicep", "--stdout"], DeploymentTemplate.InfraDirectory);

        Assert.True(build.ExitCode == 0 && build.Error.Trim().Length == 0, $"bicep build failed:\n{build.Error}");
        Assert.True(Normalize(build.Output) == Normalize(await File.ReadAllTextAsync(DeploymentTemplate.CompiledPath)),
            "infra/azuredeploy.json is not what infra/main.bicep compiles to. Regenerate it: " +
            $"{DeploymentTemplate.BicepPath} build infra/main.bicep --outfile infra/azuredeploy.json");
    }

    [Fact]
    public async Task AppSettings_AreEverythingTheServiceNeedsToStart_InProductionMode()
    {
        var settings = DeploymentTemplate.AppSettings(Template);
        Assert.Equal("ManagedIdentity", settings["Credentials__Mode"]);
        Assert.Equal("UserAssignedMSI", settings["Bot__AppType"]);
        Assert.Equal(settings["Credentials__ClientId"], settings["Bot__AppId"]);
        await using var emulator = await EmulatorServer.StartAsync();
        var resolved = DeploymentTemplate.ResolveForEmulator(settings, emulator, "https://iotownerbot.example", Path.Combine(Path.GetTempPath(), $"tpl-{Guid.NewGuid():N}.db"));

        // The service's own start-up validation (the doctor's first check) over exactly these settings.
        var doctor = await DeploymentTemplate.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "IoTOwnerBot.dll"), "doctor"],
            AppContext.BaseDirectory, resolved);

        Assert.Contains("✔ Configuration: valid", doctor.Output);
        Assert.DoesNotContain("✗ Configuration", doctor.Output);
    }

    [Fact]
    public async Task AppSettings_WithoutARequiredKey_TheDoctorNamesIt()
    {
        await using var emulator = await EmulatorServer.StartAsync();
        var resolved = DeploymentTemplate.ResolveForEmulator(DeploymentTemplate.AppSettings(Template), emulator, "https://iotownerbot.example",
            Path.Combine(Path.GetTempPath(), $"tpl-{Guid.NewGuid():N}.db"));
        resolved.Remove("Outlook__SenderMailbox");

        var doctor = await DeploymentTemplate.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "IoTOwnerBot.dll"), "doctor"],
            AppContext.BaseDirectory, resolved);

        Assert.Equal(1, doctor.ExitCode);
        Assert.Contains("✗ Configuration: Outlook:SenderMailbox is required", doctor.Output);
    }

    [Fact]
    public void AppSettings_HoldSecretsOnlyAsKeyVaultReferences()
    {
        var settings = DeploymentTemplate.AppSettings(Template);
        var secrets = settings.Where(s => s.Key.Contains("Secret", StringComparison.OrdinalIgnoreCase) || s.Key.Contains("Password", StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.Equal(["Intake__HmacSecrets__0", "Outlook__ActionTokenKeys__0__Secret"], secrets.Select(s => s.Key).Order());
        Assert.All(secrets, s => Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0})'", s.Value, StringComparison.Ordinal));
        Assert.Equal("[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', format('{0}-id', parameters('name')))]",
            (string?)WebApp()["properties"]!["keyVaultReferenceIdentity"]);
        // Nothing secret comes in as a parameter: the secrets are generated inside Azure.
        Assert.DoesNotContain(DeploymentTemplate.Resources(Template).Select(r => r.Template).Distinct()
            .SelectMany(t => t["parameters"]?.AsObject() ?? []), p => ((string?)p.Value!["type"])!.StartsWith("secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Outputs_HoldNoSecret()
    {
        var outputs = DeploymentTemplate.Resources(Template).Select(r => r.Template).Append(Template).Distinct()
            .SelectMany(t => t["outputs"]?.AsObject() ?? []).ToList();

        Assert.NotEmpty(outputs);
        foreach (var (name, output) in outputs)
        {
            var type = (string)output!["type"]!;
            var value = output["value"]!.ToJsonString();
            Assert.False(type.StartsWith("secure", StringComparison.OrdinalIgnoreCase), $"output {name} is {type}");
            Assert.DoesNotMatch(@"(?i)list\w*\(|Microsoft\.KeyVault/vaults/secrets|deploymentScripts|password|connectionString", value);
            Assert.DoesNotMatch("(?i)password|connectionString|key$", name);
        }
    }

    [Fact]
    public void RoleAssignments_UseTheBuiltInRolesAtTheirScopes()
    {
        var assignments = DeploymentTemplate.Resources(Template).Where(r => r.Type == "Microsoft.Authorization/roleAssignments")
            .Select(r =>
            {
                var definition = (string)r.Resource["properties"]!["roleDefinitionId"]!;
                Assert.StartsWith("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables(", definition, StringComparison.Ordinal);
                Assert.Equal("ServicePrincipal", (string?)r.Resource["properties"]!["principalType"]);
                return (r.Module, Role: r.Variable(definition), Scope: (string?)r.Resource["scope"] ?? "(resource group)",
                    Principal: (string)r.Resource["properties"]!["principalId"]!);
            })
            .OrderBy(a => a.Role, StringComparer.Ordinal).ToList();

        const string workspace = "[resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspaceName'))]";
        Assert.Collection(assignments,
            // Microsoft Sentinel Responder: read incidents, alerts, entities; write comments, labels, status.
            a => Assert.Equal(("workspace-access", "3e150937-b8fe-4cfb-8069-0eaf05ecd056", workspace, "[parameters('servicePrincipalId')]"), a),
            // Key Vault Secrets User: the service reads its secrets.
            a => Assert.Equal(("keyvault", "4633458b-17de-408a-b874-0445c86b69e6", "[resourceId('Microsoft.KeyVault/vaults', format('kv-{0}', uniqueString(resourceGroup().id, parameters('name'))))]", "[parameters('readerPrincipalId')]"), a),
            // Log Analytics Reader: the SecurityAlert owner query.
            a => Assert.Equal(("workspace-access", "73c42c96-874c-492b-b04d-ab87d138a893", workspace, "[parameters('servicePrincipalId')]"), a),
            // Key Vault Secrets Officer: only the deployment script that generates the secrets, only on this vault.
            a => Assert.Equal(("keyvault", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "[resourceId('Microsoft.KeyVault/vaults', format('kv-{0}', uniqueString(resourceGroup().id, parameters('name'))))]",
                "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', format('{0}-secrets-id', parameters('name'))), '2024-11-30').principalId]"), a),
            // Microsoft Sentinel Automation Contributor: Sentinel's own principal may run the playbook of this resource group.
            a => Assert.Equal(("forwarder", "f4c81013-99ee-4d62-a7ee-b3f1f648599a", "(resource group)", "[parameters('sentinelPrincipalObjectId')]"), a));

        // The service identity is the principal of the workspace roles and the vault reader, and the workspace module is
        // deployed where the workspace is.
        const string servicePrincipal = "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', format('{0}-id', parameters('name'))), '2024-11-30').principalId]";
        var workspaceModule = DeploymentTemplate.Module(Template, "workspace-access");
        Assert.Equal(servicePrincipal, (string?)workspaceModule["properties"]!["parameters"]!["servicePrincipalId"]!["value"]);
        Assert.Equal("[parameters('workspaceResourceGroup')]", (string?)workspaceModule["resourceGroup"]);
        Assert.Equal("[parameters('workspaceSubscriptionId')]", (string?)workspaceModule["subscriptionId"]);
        Assert.Equal(servicePrincipal, (string?)DeploymentTemplate.Module(Template, "keyvault")["properties"]!["parameters"]!["readerPrincipalId"]!["value"]);
    }

    [Fact]
    public void AzureBot_IsTheManagedIdentity_WithTeamsOn_AndWebChatAndDirectLineOff()
    {
        var bot = DeploymentTemplate.OfType(Template, "Microsoft.BotService/botServices").Single()["properties"]!;
        Assert.Equal("UserAssignedMSI", (string?)bot["msaAppType"]);
        Assert.Equal("[parameters('identityClientId')]", (string?)bot["msaAppId"]);
        Assert.Equal("[format('{0}/api/messages', variables('publicBaseUrl'))]",
            (string?)DeploymentTemplate.Module(Template, "bot")["properties"]!["parameters"]!["messagingEndpoint"]!["value"]);

        var channels = DeploymentTemplate.OfType(Template, "Microsoft.BotService/botServices/channels")
            .ToDictionary(c => (string)c["properties"]!["channelName"]!, c => c["properties"]!["properties"]!);
        Assert.Equal(["DirectLineChannel", "MsTeamsChannel", "WebChatChannel"], channels.Keys.Order());
        Assert.True((bool)channels["MsTeamsChannel"]["isEnabled"]!);
        foreach (var off in new[] { "WebChatChannel", "DirectLineChannel" })
        {
            var sites = channels[off]["sites"]!.AsArray();
            Assert.NotEmpty(sites);
            Assert.All(sites, site => Assert.False((bool)site!["isEnabled"]!, $"{off} has an enabled site"));
        }
        Assert.All(channels["DirectLineChannel"]["sites"]!.AsArray(), site =>
        {
            Assert.False((bool)site!["isV1Enabled"]!);
            Assert.False((bool)site["isV3Enabled"]!);
        });
    }

    [Fact]
    public void Forwarder_PostsTheTriggerBodyToIntake_WithAManagedIdentityTokenForTheIntakeAudience()
    {
        var definition = DeploymentTemplate.OfType(Template, "Microsoft.Logic/workflows").Single()["properties"]!["definition"]!;
        var trigger = Assert.Single(definition["triggers"]!.AsObject()).Value!;
        Assert.Equal("ApiConnectionWebhook", (string?)trigger["type"]);
        Assert.Equal("/incident-creation", (string?)trigger["inputs"]!["path"]);

        var action = Assert.Single(definition["actions"]!.AsObject()).Value!;
        Assert.Equal("Http", (string?)action["type"]);
        Assert.Equal("POST", (string?)action["inputs"]!["method"]);
        Assert.Equal("@triggerBody()", (string?)action["inputs"]!["body"]);
        var auth = action["inputs"]!["authentication"]!;
        Assert.Equal("ManagedServiceIdentity", (string?)auth["type"]);
        Assert.Equal("[parameters('identityResourceId')]", (string?)auth["identity"]);
        Assert.Equal("[parameters('intakeAudience')]", (string?)auth["audience"]);
        Assert.Equal("[parameters('intakeUrl')]", (string?)action["inputs"]!["uri"]);

        // Wired in main: the URL is the service's /api/incidents, the audience is the one the service accepts, and the
        // identity is the only caller it accepts.
        var forwarder = DeploymentTemplate.Module(Template, "forwarder")["properties"]!["parameters"]!;
        Assert.Equal("[format('{0}/api/incidents', variables('publicBaseUrl'))]", (string?)forwarder["intakeUrl"]!["value"]);
        var settings = DeploymentTemplate.AppSettings(Template);
        Assert.Equal(settings["Intake__Audience"], (string?)forwarder["intakeAudience"]!["value"]);
        Assert.Equal("[variables('publicBaseUrl')]", settings["Service__PublicBaseUrl"]);
        Assert.Equal("[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', format('{0}-forwarder-id', parameters('name')))]",
            (string?)forwarder["identityResourceId"]!["value"]);
        Assert.Equal("[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', format('{0}-forwarder-id', parameters('name'))), '2024-11-30').clientId]",
            settings["Intake__AllowedCallers__0"]);

        // The Sentinel connection authenticates with the same managed identity, no stored credential.
        var connection = definition.Parent!["parameters"]!["$connections"]!["value"]!["azuresentinel"]!["connectionProperties"]!["authentication"]!;
        Assert.Equal("ManagedServiceIdentity", (string?)connection["type"]);
    }

    [Fact]
    public void AutomationRule_RunsTheForwarder_OnCreationOfDefenderForIoTIncidents()
    {
        var rule = DeploymentTemplate.OfType(Template, "Microsoft.SecurityInsights/automationRules").Single()["properties"]!;
        Assert.Equal("Incidents", (string?)rule["triggeringLogic"]!["triggersOn"]);
        Assert.Equal("Created", (string?)rule["triggeringLogic"]!["triggersWhen"]);
        var condition = Assert.Single(rule["triggeringLogic"]!["conditions"]!.AsArray())!["conditionProperties"]!;
        Assert.Equal("AlertProductNames", (string?)condition["propertyName"]);
        var products = DeploymentTemplate.Resources(Template).Single(r => r.Module == "workspace-access" && r.Type == "Microsoft.SecurityInsights/automationRules")
            .Template["parameters"]!["iotProductNames"]!["defaultValue"]!.AsArray().Select(p => (string)p!);
        Assert.Equal(SentinelOptions.DefaultIoTProductNames, products);
        var run = Assert.Single(rule["actions"]!.AsArray())!;
        Assert.Equal("RunPlaybook", (string?)run["actionType"]);
        Assert.Equal("[reference(resourceId('Microsoft.Resources/deployments', 'forwarder'), '2025-04-01').outputs.logicAppId.value]",
            (string?)DeploymentTemplate.Module(Template, "workspace-access")["properties"]!["parameters"]!["playbookResourceId"]!["value"]);
    }

    [Fact]
    public void WebApp_IsHttpsOnly_AlwaysOn_WithTheReadinessHealthCheck()
    {
        var app = WebApp()["properties"]!;
        Assert.True((bool)app["httpsOnly"]!);
        Assert.Equal("/readyz", (string?)app["siteConfig"]!["healthCheckPath"]);
        Assert.True((bool)app["siteConfig"]!["alwaysOn"]!);
        Assert.Equal("DOTNETCORE|10.0", (string?)app["siteConfig"]!["linuxFxVersion"]);
        // SQLite is one file with one writer: the SQLite variant is pinned to one instance.
        var plan = DeploymentTemplate.OfType(Template, "Microsoft.Web/serverfarms").Single();
        Assert.Equal("[if(variables('singleInstance'), 1, parameters('instances'))]", (string?)plan["sku"]!["capacity"]);
    }

    [Fact]
    public void Database_IsPostgreSqlWithEntraAuthenticationOnly_AdministeredByTheServiceIdentity()
    {
        var server = DeploymentTemplate.OfType(Template, "Microsoft.DBforPostgreSQL/flexibleServers").Single()["properties"]!;
        Assert.Equal("Enabled", (string?)server["authConfig"]!["activeDirectoryAuth"]);
        Assert.Equal("Disabled", (string?)server["authConfig"]!["passwordAuth"]);
        Assert.Null(server["administratorLoginPassword"]);
        var admin = DeploymentTemplate.OfType(Template, "Microsoft.DBforPostgreSQL/flexibleServers/administrators").Single()["properties"]!;
        Assert.Equal("ServicePrincipal", (string?)admin["principalType"]);
        Assert.Equal("[format('{0}-id', parameters('name'))]",
            (string?)DeploymentTemplate.Module(Template, "database")["properties"]!["parameters"]!["adminPrincipalName"]!["value"]);
    }

    [Fact]
    public async Task Scripts_AreValidBash()
    {
        var scripts = Directory.GetFiles(Path.Combine(DeploymentTemplate.InfraDirectory, "scripts"), "*.sh");
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            var check = await DeploymentTemplate.RunAsync("bash", ["-n", script], DeploymentTemplate.InfraDirectory);
            Assert.True(check.ExitCode == 0, $"{Path.GetFileName(script)}: {check.Error}");
        }
    }

    private static JsonObject WebApp() => DeploymentTemplate.OfType(Template, "Microsoft.Web/sites").Single();

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();
}
