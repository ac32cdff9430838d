using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTOwnerBot.Doctor;
using IoTOwnerBot.Emulator.Tenant;
using IoTOwnerBot.Local;
using IoTOwnerBot.Tests.Infrastructure;

namespace IoTOwnerBot.Tests.Doctor;

/// <summary>
/// The preflight doctor against the emulator: a ready configuration passes every required check, and each way a tenant
/// is commonly half set up (a Graph permission without consent, no role on the workspace, a reader role only) is one
/// ✗ line with its fix and a non-zero exit code — without the doctor writing anything.
/// </summary>
public sealed class DoctorTests : IntegrationTest
{
    private async Task<(int ExitCode, string Output, IReadOnlyList<CheckResult> Results)> RunDoctorAsync()
    {
        var results = await new DoctorChecks(Bot.Services).RunAsync(CancellationToken.None);
        using var output = new StringWriter();
        var exit = DoctorCommand.Print(results, output);
        return (exit, output.ToString(), results);
    }

    [Fact]
    public async Task Doctor_ReadyConfiguration_PassesEveryCheck_AndWritesNothing()
    {
        await Admin.ClearRequestsAsync();

        var (exit, output, results) = await RunDoctorAsync();

        Assert.True(exit == 0, output);
        Assert.All(results, r => Assert.True(r.Passed, r.Line));
        foreach (var line in new[]
        {
            "✔ Configuration: valid", "✔ Token for Azure Resource Manager", "✔ Token for Microsoft Graph", "✔ Token for Log Analytics",
            "✔ Token for the Bot Connector", "✔ Graph role User.Read.All", "✔ Graph role Mail.Send", "✔ Graph role Mail.Read",
            "✔ Graph role TeamsAppInstallation.ReadWriteSelfForUser.All", $"✔ Workspace {Emulator.Workspace.WorkspaceName} readable",
            $"✔ Workspace {Emulator.Workspace.WorkspaceName} writable", "✔ Sender mailbox iotownerbot@contoso.example: exists",
            "✔ Teams app in the org catalog: IoTOwnerBot", $"✔ Service:PublicBaseUrl {Bot.BaseAddress.ToString().TrimEnd('/')}: /healthz answered 200",
            "✔ Actionable Messages settings",
        })
        {
            Has(output, line);
        }
        Has(output, "Ready: all");

        // Side-effect free: every call it made to Microsoft's side was a read (token requests aside).
        var calls = await Admin.RequestsAsync("");
        Assert.Contains(calls, c => c.Method == "GET" && c.Path.Contains("/providers/Microsoft.SecurityInsights/incidents", StringComparison.Ordinal));
        Assert.All(calls.Where(c => !c.Path.Contains("/oauth2/", StringComparison.Ordinal)), c => Assert.Equal("GET", c.Method));
    }

    [Fact]
    public async Task Doctor_GraphTokenMissingMailSend_FailsThatLineWithTheGrantScript()
    {
        await SetAccessAsync(new JsonObject { ["withheldRoles"] = new JsonArray("Mail.Send") });

        var (exit, output, results) = await RunDoctorAsync();

        Assert.Equal(1, exit);
        var failed = Assert.Single(results, r => !r.Passed);
        Assert.Equal("Graph role Mail.Send", failed.Name);
        Has(output, "✗ Graph role Mail.Send: missing from the Graph token (Outlook questions needs it)");
        Has(output, "Fix: infra/scripts/grant-graph-permissions.sh");
        Has(output, "✔ Graph role Mail.Read");
        Has(output, "Not ready: 1 required check(s) failed");
    }

    [Fact]
    public async Task Doctor_NoRoleOnTheWorkspace_ReadAndWriteChecksFail()
    {
        await SetAccessAsync(new JsonObject { ["withheldRoles"] = new JsonArray(), ["workspace"] = "None" });

        var (exit, output, results) = await RunDoctorAsync();

        Assert.Equal(1, exit);
        var workspace = Emulator.Workspace.WorkspaceName;
        Has(output, $"✗ Workspace {workspace} readable: Sentinel list incidents failed: 403 AuthorizationFailed The client");
        Has(output, $"✗ Workspace {workspace} writable: the service's roles do not allow Microsoft.SecurityInsights/incidents/write");
        Has(output, "Fix: assign the service identity Microsoft Sentinel Responder and Log Analytics Reader on the workspace");
        Assert.Equal([$"Workspace {workspace} readable", $"Workspace {workspace} writable"], results.Where(r => !r.Passed).Select(r => r.Name));
    }

    [Fact]
    public async Task Doctor_ReaderRoleOnly_ReadsButIsNotWritable()
    {
        await SetAccessAsync(new JsonObject { ["withheldRoles"] = new JsonArray(), ["workspace"] = "Reader" });

        var (exit, output, _) = await RunDoctorAsync();

        Assert.Equal(1, exit);
        var workspace = Emulator.Workspace.WorkspaceName;
        Has(output, $"✔ Workspace {workspace} readable");
        Has(output, $"✗ Workspace {workspace} writable: the service's roles do not allow Microsoft.SecurityInsights/incidents/write, " +
            "Microsoft.SecurityInsights/incidents/comments/write\n");
    }

    [Fact]
    public async Task Doctor_PublicBaseUrlNotAnswering_FailsWithTheFix()
    {
        await RestartBotAsync(s => s["Service:PublicBaseUrl"] = "http://127.0.0.1:9");

        var (exit, output, _) = await RunDoctorAsync();

        Assert.Equal(1, exit);
        Has(output, "✗ Service:PublicBaseUrl http://127.0.0.1:9: /healthz:");
        Has(output, "Fix: start the app");
    }

    [Fact]
    public async Task PublicBaseUrlNotHttps_OffLoopback_IsRefusedAtStart_NamingTheKey()
    {
        // Outlook and Teams call the service only over HTTPS: a plain-HTTP public address is not left for the doctor
        // to find, the service refuses to start with it.
        var refused = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => RestartBotAsync(s => s["Service:PublicBaseUrl"] = "http://iotownerbot.contoso.example"));

        Assert.Contains("Service:PublicBaseUrl must be an https:// URL", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_SocThread_ChecksTheChannelCanBeReadBack()
    {
        await RestartBotAsync(s => { foreach (var (key, value) in IoTOwnerBot.Local.LocalMode.SocThreadFor(Emulator)) s[key] = value; });
        var (_, output, _) = await RunDoctorAsync();
        Has(output, "✔ SOC channel readable: Graph lists the channel's threads");
    }

    [Fact]
    public async Task Doctor_SocChannelNotReadable_SaysWhatToConsent()
    {
        // Withheld before the service's first Graph token, which it then keeps.
        await SetAccessAsync(new JsonObject { ["withheldRoles"] = new JsonArray("ChannelMessage.Read.Group") });
        await RestartBotAsync(s => { foreach (var (key, value) in IoTOwnerBot.Local.LocalMode.SocThreadFor(Emulator)) s[key] = value; });

        var (_, output, _) = await RunDoctorAsync();

        Has(output, "✗ SOC channel readable:");
        Has(output, "ChannelMessage.Read.Group");
    }

    [Fact]
    public async Task Doctor_TeamsAppNotInCatalog_Fails()
    {
        await RestartBotAsync(s => s["Bot:TeamsAppId"] = "0f0f0f0f-1111-4222-8333-444455556666");

        var (exit, output, _) = await RunDoctorAsync();

        Assert.Equal(1, exit);
        Has(output, "✗ Teams app in the org catalog: no app with id 0f0f0f0f-1111-4222-8333-444455556666 in the org catalog");
    }

    [Fact]
    public async Task Doctor_ProviderAppIdUriOfAnotherApp_IsNotWellFormed()
    {
        await RestartBotAsync(s => s["Outlook:AppIdUri"] = "api://auth-am-contoso/9d9d9d9d-1111-4222-8333-444455556666");

        var (exit, output, _) = await RunDoctorAsync();

        Assert.Equal(1, exit);
        Has(output, "✗ Actionable Messages settings: Outlook:AppIdUri does not end with Outlook:ClientId");
    }

    private static void Has(string output, string line) => Assert.True(output.Contains(line, StringComparison.Ordinal), $"Expected \"{line}\" in:\n{output}");

    private async Task SetAccessAsync(JsonObject access)
    {
        using var http = new HttpClient { BaseAddress = Emulator.BaseUri };
        using var response = await http.PutAsJsonAsync("admin/access", access);
        response.EnsureSuccessStatusCode();
    }
}
