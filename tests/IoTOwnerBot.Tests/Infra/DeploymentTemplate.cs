using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IoTOwnerBot.Emulator;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Emulator.Outlook;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Local;
using IoTOwnerBot.Tests.Cards;

namespace IoTOwnerBot.Tests.Infra;

/// <summary>The compiled deployment template (infra/azuredeploy.json), the Bicep CLI from NuGet, and processes of the service.</summary>
internal static partial class DeploymentTemplate
{
    public static string InfraDirectory => Path.Combine(CardTestSupport.RepoRoot, "infra");
    public static string CompiledPath => Path.Combine(InfraDirectory, "azuredeploy.json");

    /// <summary>The bicep executable of the Azure.Bicep.CommandLine package the test project references.</summary>
    public static string BicepPath =>
        typeof(DeploymentTemplate).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepPath").Value!
            .Replace('\\', '/');

    public static JsonObject Load() => JsonNode.Parse(File.ReadAllText(CompiledPath))!.AsObject();

    /// <summary>A resource with the (module) template it is declared in.</summary>
    public sealed record Declared(string Module, JsonObject Template, JsonObject Resource)
    {
        public string Type => (string)Resource["type"]!;

        /// <summary>A <c>variables('x')</c> expression's value in the declaring template.</summary>
        public string? Variable(string expression) =>
            VariableReference().Match(expression) is { Success: true } m ? (string?)Template["variables"]?[m.Groups[1].Value] : null;
    }

    /// <summary>Every resource of the template and of its nested (module) deployments.</summary>
    public static IEnumerable<Declared> Resources(JsonObject template, string module = "main")
    {
        foreach (var resource in template["resources"]!.AsArray().Select(r => r!.AsObject()))
        {
            yield return new Declared(module, template, resource);
            if ((string?)resource["type"] == "Microsoft.Resources/deployments" && resource["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in Resources(nested, (string)resource["name"]!)) yield return inner;
            }
        }
    }

    public static IEnumerable<JsonObject> OfType(JsonObject template, string type) =>
        Resources(template).Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase)).Select(r => r.Resource);

    /// <summary>The module deployment resource of that name in the main template.</summary>
    public static JsonObject Module(JsonObject template, string name) =>
        OfType(template, "Microsoft.Resources/deployments").Single(d => (string?)d["name"] == name);

    [GeneratedRegex(@"variables\('([^']+)'\)")]
    private static partial Regex VariableReference();

    /// <summary>The web app's settings as the template writes them: name → literal or ARM expression.</summary>
    public static IReadOnlyDictionary<string, string> AppSettings(JsonObject template) =>
        OfType(template, "Microsoft.Web/sites/config").Single()["properties"]!.AsObject()
            .ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal);

    /// <summary>
    /// The template's app settings with every ARM expression replaced by what the deployment would produce, here for
    /// an emulator playing the tenant, with the default parameters (PostgreSql off: the SQLite variant runs here).
    /// Key Vault references become the random secrets App Service would resolve. An expression this table does not
    /// know fails the test that uses it, so a new setting cannot slip in untested.
    /// </summary>
    public static Dictionary<string, string?> ResolveForEmulator(IReadOnlyDictionary<string, string> settings, EmulatorServer emulator,
        string publicBaseUrl, string databasePath)
    {
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Service__PublicBaseUrl"] = publicBaseUrl,
            ["Credentials__TenantId"] = emulator.TenantId,
            ["Credentials__ClientId"] = LocalDefaults.ClientId,
            ["Bot__AppId"] = LocalDefaults.ClientId,
            ["Bot__TenantId"] = emulator.TenantId,
            ["Bot__TeamsAppId"] = IoTOwnerBot.Emulator.Teams.TeamsWorld.CatalogAppId,
            ["Sentinel__Workspaces__0__SubscriptionId"] = emulator.Workspace.SubscriptionId,
            ["Sentinel__Workspaces__0__ResourceGroup"] = emulator.Workspace.ResourceGroupName,
            ["Sentinel__Workspaces__0__WorkspaceName"] = emulator.Workspace.WorkspaceName,
            ["Sentinel__Workspaces__0__WorkspaceId"] = emulator.Workspace.WorkspaceId,
            ["Intake__Audience"] = LocalMode.LocalIntakeAudience,
            ["SocApi__Audience"] = LocalMode.LocalIntakeAudience,
            ["Intake__AllowedCallers__0"] = "6a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            ["Intake__HmacSecrets__0"] = RandomSecret(),
            ["Outlook__SenderMailbox"] = OutlookDefaults.SenderMailbox,
            ["Outlook__AppIdUri"] = OutlookDefaults.AppIdUri,
            ["Outlook__ClientId"] = OutlookDefaults.ClientId,
            ["Outlook__RequiredScope"] = OutlookDefaults.Scope,
            ["Outlook__ActionTokenKeys__0__Id"] = "k1",
            ["Outlook__ActionTokenKeys__0__Secret"] = RandomSecret(),
            ["Cards__Originator"] = OutlookDefaults.ProviderId,
        };
        var resolved = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in settings)
        {
            if (!value.StartsWith('[')) resolved[key] = value;
            else if (Conditional().Match(value) is { Success: true } m && KnownCondition(m.Groups["cond"].Value) is { } holds)
                resolved[key] = holds ? m.Groups["then"].Value : outputs.GetValueOrDefault(key) ?? throw Unmapped(key, value);
            else resolved[key] = outputs.TryGetValue(key, out var output) ? output : throw Unmapped(key, value);
        }
        // What the platform and this machine provide instead of Azure: the emulator's endpoints and its App Service
        // managed identity endpoint, a loopback address, a temporary database file.
        resolved["Urls"] = publicBaseUrl;
        resolved["Storage__ConnectionString"] = $"Data Source={databasePath}";
        resolved["IDENTITY_ENDPOINT"] = emulator.ManagedIdentityEndpoint;
        resolved["IDENTITY_HEADER"] = EntraEndpoints.ManagedIdentityHeader;
        foreach (var (key, value) in LocalMode.ConfigurationFor(emulator).Where(s => s.Key.StartsWith("Cloud:", StringComparison.Ordinal)))
            resolved[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        resolved["Bot__ServiceUrl"] = emulator.TeamsServiceUrl;
        resolved["Sentinel__Poller__Interval"] = "00:00:10";
        return resolved;
    }

    private static bool? KnownCondition(string condition) => condition switch
    {
        "variables('singleInstance')" => true,
        "parameters('emailEnabled')" => true,
        "empty(parameters('packageUri'))" => true,
        _ => null,
    };

    private static InvalidOperationException Unmapped(string key, string value) =>
        new($"App setting {key} = {value}: no value for the emulator deployment; add it to {nameof(ResolveForEmulator)}.");

    private static string RandomSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    [GeneratedRegex(@"^\[if\((?<cond>[^,]+), '(?<then>[^']*)', .+\)\]$")]
    private static partial Regex Conditional();

    public sealed record ProcessResult(int ExitCode, string Output, string Error);

    /// <summary>Runs a program to its end (bounded), capturing both streams.</summary>
    public static async Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? limit = null)
    {
        var info = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) info.Environment[key] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(limit ?? TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in time.\n{await stdout}\n{await stderr}");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
