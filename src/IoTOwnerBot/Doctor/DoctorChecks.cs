using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Core;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Outlook;
using IoTOwnerBot.Owners;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Sentinel;
using IoTOwnerBot.SocChannel;
using IoTOwnerBot.Teams;
using IoTOwnerBot.Cards;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Doctor;

/// <summary>
/// The checks, in the order a deployment is set up. Every call is a read (a token request, a GET, one incident list
/// call); nothing is written anywhere, and no token or secret is printed.
/// </summary>
internal sealed partial class DoctorChecks(IServiceProvider services)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(20);
    private const string PermissionsApiVersion = "2022-04-01";

    public async Task<IReadOnlyList<CheckResult>> RunAsync(CancellationToken ct)
    {
        var results = new List<CheckResult>(CheckConfiguration(services));
        // Every other check reads the options; with an invalid configuration they would only repeat its errors.
        if (results.Any(r => !r.Passed)) return results;

        var cloud = Get<CloudOptions>();
        var credentials = Get<CredentialOptions>();
        var delivery = Get<DeliveryOptions>();
        var outlook = Get<OutlookOptions>();
        var owners = Get<OwnerOptions>();
        var socThread = Get<SocThreadOptions>();
        var bot = Get<BotOptions>();
        var sendsEmail = outlook.Enabled && delivery.SendsEmail;
        var usesTeams = delivery.UsesTeams || socThread.Enabled;
        var queriesLogAnalytics = owners.Sources.Contains(OwnerSource.LogAnalytics);

        var credential = services.GetRequiredService<TokenCredential>();
        var armToken = await TokenAsync(results, "Token for Azure Resource Manager", credential, cloud.ArmScope, credentials, ct);
        var graphToken = await TokenAsync(results, "Token for Microsoft Graph", credential, cloud.GraphScope, credentials, ct);
        if (queriesLogAnalytics)
            await TokenAsync(results, "Token for Log Analytics", credential, cloud.LogAnalyticsScope, credentials, ct);
        if (usesTeams)
            await TokenAsync(results, "Token for the Bot Connector", services.GetRequiredKeyedService<TokenCredential>(BotCredentialFactory.Key),
                cloud.BotScope, credentials, ct);

        if (graphToken is not null) results.AddRange(CheckGraphRoles(graphToken, sendsEmail, delivery, bot, socThread));
        if (armToken is not null)
        {
            foreach (var workspace in Get<SentinelOptions>().Workspaces)
            {
                results.Add(await CheckWorkspaceReadableAsync(workspace, ct));
                results.Add(await CheckWorkspaceWritableAsync(workspace, cloud, armToken, queriesLogAnalytics, ct));
            }
        }
        if (graphToken is not null && sendsEmail)
        {
            foreach (var sender in outlook.Senders) results.Add(await CheckSenderMailboxAsync(sender, cloud, graphToken, ct));
        }
        if (graphToken is not null && delivery.UsesTeams) results.Add(await CheckTeamsAppAsync(bot, cloud, graphToken, ct));
        if (graphToken is not null && socThread.Enabled) results.Add(await CheckSocChannelReadableAsync(socThread, cloud, graphToken, ct));
        results.Add(await CheckPublicBaseUrlAsync(Get<ServiceOptions>().PublicBaseUrl, ct));
        if (sendsEmail) results.Add(CheckActionableMessages(outlook, Get<CardOptions>(), Get<ServiceOptions>()));
        return results;
    }

    /// <summary>The start-up validation of every options section, exactly as the service runs it before it listens.</summary>
    public static IReadOnlyList<CheckResult> CheckConfiguration(IServiceProvider services)
    {
        const string name = "Configuration";
        const string fix = "set the key it names (app setting or environment variable Section__Key, secrets through Key Vault references); README, Configuration";
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            return [CheckResult.Pass(name, "valid (every section passes the start-up validation)")];
        }
        catch (OptionsValidationException ex)
        {
            return [.. ex.Failures.Select(f => CheckResult.Fail(name, f, fix))];
        }
        catch (AggregateException ex)
        {
            return [.. ex.Flatten().InnerExceptions.SelectMany(e => e is OptionsValidationException v ? v.Failures : [e.Message])
                .Select(f => CheckResult.Fail(name, f, fix))];
        }
        catch (InvalidOperationException ex)
        {
            // A value that cannot be bound at all (e.g. an unknown enum name).
            return [CheckResult.Fail(name, ex.Message, fix)];
        }
    }

    private T Get<T>() where T : class => services.GetRequiredService<IOptions<T>>().Value;

    private static async Task<string?> TokenAsync(List<CheckResult> results, string name, TokenCredential credential, string scope,
        CredentialOptions credentials, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(CallTimeout);
            var token = await credential.GetTokenAsync(new TokenRequestContext([scope]), timeout.Token);
            var claims = Claims(token.Token);
            var caller = claims is null ? "" : $" (app {Claim(claims.Value, "appid") ?? Claim(claims.Value, "azp") ?? "?"})";
            results.Add(CheckResult.Pass(name, $"{scope}{caller}"));
            return token.Token;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            results.Add(CheckResult.Fail(name, $"{scope}: {FirstLine(ex.Message)}", TokenFix(credentials)));
            return null;
        }
    }

    private static string TokenFix(CredentialOptions credentials) => credentials.Mode switch
    {
        CredentialMode.ManagedIdentity =>
            "run the doctor on the deployed app (az webapp ssh, then: dotnet IoTOwnerBot.dll doctor); the managed identity exists only there, and Credentials:ClientId must be the client id of an identity assigned to the app",
        CredentialMode.WorkloadIdentity => "check the federated credential of Credentials:ClientId and the token file the platform mounts",
        CredentialMode.Local => "start the emulator (Local:StartEmulator=true) or point Cloud:EntraAuthority at a running one",
        _ => "check Credentials:TenantId, Credentials:ClientId and the app's secret or certificate (expired?)",
    };

    /// <summary>The application roles (admin-consented Graph permissions) each configured feature needs.</summary>
    private static IEnumerable<CheckResult> CheckGraphRoles(string graphToken, bool sendsEmail, DeliveryOptions delivery, BotOptions bot,
        SocThreadOptions socThread)
    {
        var roles = Claims(graphToken) is { } claims && claims.TryGetProperty("roles", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(x => x.GetString() ?? "").ToHashSet(StringComparer.OrdinalIgnoreCase)
            : [];
        var needed = new List<(string Role, string[] Alternatives, string Feature, bool Required)>
        {
            ("User.Read.All", ["Directory.Read.All", "User.ReadWrite.All", "Directory.ReadWrite.All"], "owner and manager look-up", true),
        };
        if (sendsEmail)
        {
            needed.Add(("Mail.Send", [], "Outlook questions", true));
            needed.Add(("Mail.Read", ["Mail.ReadWrite"], "the Sent Items check before a resend", true));
        }
        if (delivery.UsesTeams && bot.TeamsAppId is { Length: > 0 })
        {
            needed.Add(("TeamsAppInstallation.ReadWriteSelfForUser.All", ["TeamsAppInstallation.ReadWriteForUser.All"],
                "installing the Teams app for owners", true));
            needed.Add(("Chat.Read.All", ["Chat.ReadWrite.All"], "finding out whether a Teams card of unknown outcome reached the owner (without it the card may be posted twice to owners only Teams reaches)", false));
            needed.Add(("AppCatalog.Read.All", ["AppCatalog.ReadWrite.All"], "the doctor's Teams catalog check", false));
        }
        if (socThread.Enabled && socThread.MemberGroupId is { Length: > 0 })
            needed.Add(("GroupMember.Read.All", ["Group.Read.All", "Directory.Read.All"], "SOC group membership (SocThread:MemberGroupId)", true));

        foreach (var (role, alternatives, feature, required) in needed)
        {
            var held = roles.Contains(role) ? role : alternatives.FirstOrDefault(roles.Contains);
            yield return held is not null
                ? CheckResult.Pass($"Graph role {role}", $"granted ({feature})")
                : CheckResult.Fail($"Graph role {role}", $"missing from the Graph token ({feature} needs it)",
                    $"infra/scripts/grant-graph-permissions.sh <service identity object id> (grants {role} with admin consent); a new token carries it, which for a managed identity can take up to 24 hours or a restart",
                    required);
        }
    }

    private async Task<CheckResult> CheckWorkspaceReadableAsync(WorkspaceOptions workspace, CancellationToken ct)
    {
        var name = $"Workspace {workspace.WorkspaceName} readable";
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(CallTimeout);
            var seen = 0;
            await foreach (var _ in services.GetRequiredService<SentinelClient>().ListIncidentsByLastModifiedAsync(workspace, 1, timeout.Token))
            {
                seen++;
                break;
            }
            return CheckResult.Pass(name, seen == 0 ? "incident list answered (no incidents yet)" : "incident list answered");
        }
        catch (SentinelException ex)
        {
            return CheckResult.Fail(name, FirstLine(ex.Message),
                ex.Status == HttpStatusCode.NotFound
                    ? "check Sentinel:Workspaces SubscriptionId, ResourceGroup and WorkspaceName (and that Microsoft Sentinel is enabled on the workspace)"
                    : RoleFix(workspace));
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return CheckResult.Fail(name, FirstLine(ex.Message), "check Cloud:ArmEndpoint and the network path to it");
        }
    }

    /// <summary>The caller's own permissions on the workspace (Microsoft.Authorization), checked for every write the service makes.</summary>
    private async Task<CheckResult> CheckWorkspaceWritableAsync(WorkspaceOptions workspace, CloudOptions cloud, string armToken,
        bool queriesLogAnalytics, CancellationToken ct)
    {
        var name = $"Workspace {workspace.WorkspaceName} writable";
        var scope = $"/subscriptions/{workspace.SubscriptionId}/resourceGroups/{workspace.ResourceGroup}/providers/Microsoft.OperationalInsights/workspaces/{workspace.WorkspaceName}";
        var call = await GetAsync(new Uri($"{cloud.ArmEndpoint.TrimEnd('/')}{scope}/providers/Microsoft.Authorization/permissions?api-version={PermissionsApiVersion}"),
            armToken, ct);
        if (call.Body is not { } body) return CheckResult.Fail(name, call.Problem, RoleFix(workspace));
        using (body)
        {
            var entries = body.RootElement.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : [];
            var wanted = new List<string> { "Microsoft.SecurityInsights/incidents/write", "Microsoft.SecurityInsights/incidents/comments/write" };
            if (queriesLogAnalytics) wanted.Add("Microsoft.OperationalInsights/workspaces/query/SecurityAlert/read");
            var missing = wanted.Where(action => !entries.Any(e => Allows(e, action))).ToList();
            return missing.Count == 0
                ? CheckResult.Pass(name, "the service's role allows updating incidents and adding comments" + (queriesLogAnalytics ? ", and querying SecurityAlert" : ""))
                : CheckResult.Fail(name, $"the service's roles do not allow {string.Join(", ", missing)}", RoleFix(workspace));
        }
    }

    private static string RoleFix(WorkspaceOptions workspace) =>
        "assign the service identity Microsoft Sentinel Responder and Log Analytics Reader on the workspace (the template does): " +
        $"az role assignment create --assignee <service identity object id> --role \"Microsoft Sentinel Responder\" --scope /subscriptions/{workspace.SubscriptionId}/resourceGroups/{workspace.ResourceGroup}/providers/Microsoft.OperationalInsights/workspaces/{workspace.WorkspaceName}";

    /// <summary>Whether one Microsoft.Authorization permissions entry grants an action (wildcards, NotActions).</summary>
    internal static bool Allows(JsonElement entry, string action)
    {
        static IEnumerable<string> List(JsonElement e, string property) =>
            e.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.Array ? p.EnumerateArray().Select(x => x.GetString() ?? "") : [];
        return List(entry, "actions").Any(a => Matches(a, action)) && !List(entry, "notActions").Any(a => Matches(a, action));
    }

    private static bool Matches(string pattern, string action) =>
        Regex.IsMatch(action, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private async Task<CheckResult> CheckSenderMailboxAsync(string sender, CloudOptions cloud, string graphToken, CancellationToken ct)
    {
        var name = $"Sender mailbox {sender}";
        var call = await GetAsync(new Uri($"{cloud.GraphEndpoint.TrimEnd('/')}/v1.0/users/{Uri.EscapeDataString(sender)}?$select=id,mail,userPrincipalName"),
            graphToken, ct);
        if (call.Body is not { } body)
            return CheckResult.Fail(name, call.Problem, call.Status == HttpStatusCode.NotFound
                ? "Outlook:SenderMailbox (and every Outlook:SenderMailboxes entry) must be the UPN or object id of a user or service mailbox in this tenant"
                : "grant the service identity User.Read.All (infra/scripts/grant-graph-permissions.sh)");
        using (body)
        {
            var mail = body.RootElement.TryGetProperty("mail", out var m) ? m.GetString() : null;
            return string.IsNullOrWhiteSpace(mail)
                ? CheckResult.Fail(name, "the user exists but has no mailbox", "give the sender an Exchange Online mailbox (a licensed user or a service mailbox; not a shared mailbox)")
                : CheckResult.Pass(name, $"exists ({mail})");
        }
    }

    private async Task<CheckResult> CheckTeamsAppAsync(BotOptions bot, CloudOptions cloud, string graphToken, CancellationToken ct)
    {
        const string name = "Teams app in the org catalog";
        const string upload = "infra/scripts/upload-teams-app.sh (builds the package with the manifest command, uploads it, prints the catalog id), then set Bot:TeamsAppId";
        if (bot.TeamsAppId is not { Length: > 0 } appId)
            return CheckResult.Fail(name, "Bot:TeamsAppId is not set: only owners who installed the app themselves can be asked in Teams", upload, required: false);
        var filter = Uri.EscapeDataString($"id eq '{appId}'");
        var call = await GetAsync(new Uri($"{cloud.GraphEndpoint.TrimEnd('/')}/v1.0/appCatalogs/teamsApps?$filter={filter}"), graphToken, ct);
        if (call.Body is not { } body)
            return CheckResult.Fail(name, call.Problem, call.Status == HttpStatusCode.Forbidden
                ? "grant AppCatalog.Read.All (infra/scripts/grant-graph-permissions.sh) so the doctor can read the catalog, or look it up in the Teams admin center"
                : upload, required: call.Status != HttpStatusCode.Forbidden);
        using (body)
        {
            var app = body.RootElement.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Array
                ? value.EnumerateArray().FirstOrDefault() : default;
            return app.ValueKind == JsonValueKind.Object
                ? CheckResult.Pass(name, $"{(app.TryGetProperty("displayName", out var d) ? d.GetString() : appId)} ({appId})")
                : CheckResult.Fail(name, $"no app with id {appId} in the org catalog", upload);
        }
    }

    /// <summary>
    /// The SOC channel can be read back (one thread root, <c>$top=1</c>): what tells a post of unknown outcome from one
    /// that never landed. Not required: without it such replies are left out and such thread creations may double.
    /// </summary>
    private async Task<CheckResult> CheckSocChannelReadableAsync(SocThreadOptions socThread, CloudOptions cloud, string graphToken, CancellationToken ct)
    {
        const string name = "SOC channel readable";
        if (socThread.TeamGroupId is not { Length: > 0 } team)
            return CheckResult.Fail(name, "SocThread:TeamGroupId is not set: a SOC reply of unknown outcome is left out, and an unconfirmed thread creation may show twice",
                "set SocThread:TeamGroupId to the team's Microsoft 365 group id (Teams admin center, or the groupId in the team's link)", required: false);
        var call = await GetAsync(new Uri($"{cloud.GraphEndpoint.TrimEnd('/')}/v1.0/teams/{Uri.EscapeDataString(team)}/channels/{Uri.EscapeDataString(socThread.ChannelId!)}/messages?$top=1"),
            graphToken, ct);
        call.Body?.Dispose();
        return call.Status == HttpStatusCode.OK
            ? CheckResult.Pass(name, $"Graph lists the channel's threads (team {team})")
            : CheckResult.Fail(name, call.Problem, call.Status == HttpStatusCode.Forbidden
                ? "add the Teams app (manifest 1.2.0 or later asks for ChannelMessage.Read.Group) to the SOC team and let a team owner or an admin consent"
                : "check SocThread:TeamGroupId (the team's group id) and SocThread:ChannelId", required: false);
    }

    private async Task<CheckResult> CheckPublicBaseUrlAsync(string publicBaseUrl, CancellationToken ct)
    {
        var name = $"Service:PublicBaseUrl {publicBaseUrl}";
        var uri = new Uri(publicBaseUrl);
        // Outlook and Teams call back only over HTTPS; plain HTTP is accepted on loopback (the local lab).
        if (uri.Scheme != Uri.UriSchemeHttps && !uri.IsLoopback)
            return CheckResult.Fail(name, "not HTTPS: Outlook and Teams call the service only over HTTPS", "set Service:PublicBaseUrl to the app's https:// address");
        var call = await GetAsync(new Uri(uri, "/healthz"), null, ct);
        call.Body?.Dispose();
        return call.Status == HttpStatusCode.OK
            ? CheckResult.Pass(name, "/healthz answered 200")
            : CheckResult.Fail(name, $"/healthz: {call.Problem}",
                "start the app (az webapp start; az webapp log tail shows why it does not start) and check the address is this app's");
    }

    private static CheckResult CheckActionableMessages(OutlookOptions outlook, CardOptions cards, ServiceOptions service)
    {
        const string name = "Actionable Messages settings";
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(cards.Originator))
            problems.Add("Cards:Originator (the provider ID) is empty, so Outlook shows the buttons only in the sender's own mailbox");
        if (outlook.AppIdUri is { Length: > 0 } appIdUri)
        {
            if (!appIdUri.StartsWith("api://", StringComparison.OrdinalIgnoreCase))
                problems.Add("Outlook:AppIdUri must be the dashboard's api://… URI");
            else if (outlook.ClientId is { Length: > 0 } clientId && !appIdUri.TrimEnd('/').EndsWith("/" + clientId, StringComparison.OrdinalIgnoreCase))
                problems.Add("Outlook:AppIdUri does not end with Outlook:ClientId: they must name the same provider app");
        }
        if (outlook.RequiredScope is { } scope && !ScopeName().IsMatch(scope))
            problems.Add("Outlook:RequiredScope must be one scope name such as Global.Test");
        foreach (var sender in outlook.Senders.Where(s => !s.Contains('@', StringComparison.Ordinal) && !Guid.TryParse(s, out _)))
            problems.Add($"sender mailbox '{sender}' must be a UPN or an object id");
        if (!service.PublicBaseUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && !new Uri(service.PublicBaseUrl).IsLoopback)
            problems.Add("the provider's target URL (Service:PublicBaseUrl) must be HTTPS");
        return problems.Count == 0
            ? CheckResult.Pass(name, "provider id, app id URI, client id, scope and sender are well-formed")
            : CheckResult.Fail(name, string.Join("; ", problems),
                "copy the values from the provider in the Actionable Email Developer Dashboard (README, Registering the actionable-message provider)");
    }

    private sealed record Call(HttpStatusCode? Status, JsonDocument? Body, string Problem);

    /// <summary>One GET; a non-success answer becomes a short problem text with the service's own error code.</summary>
    private async Task<Call> GetAsync(Uri uri, string? token, CancellationToken ct)
    {
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(DoctorChecks));
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CallTimeout);
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            JsonDocument? json = null;
            try { json = text.Length > 0 ? JsonDocument.Parse(text) : null; }
            catch (JsonException) { }
            if (response.IsSuccessStatusCode) return new Call(response.StatusCode, json ?? JsonDocument.Parse("{}"), "");
            using (json)
            {
                var error = json?.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("error", out var e) ? e : default;
                var code = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var c) ? c.GetString() : null;
                var message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var msg) ? msg.GetString() : null;
                return new Call(response.StatusCode, null, $"{(int)response.StatusCode} {code ?? response.ReasonPhrase}{(message is null ? "" : ": " + FirstLine(message))}");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return new Call(null, null, ex is OperationCanceledException ? $"no answer within {CallTimeout.TotalSeconds:0} s" : FirstLine(ex.Message));
        }
    }

    /// <summary>The payload of a JWT, read without validation: only to show which app and roles a token carries.</summary>
    private static JsonElement? Claims(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length < 2) return null;
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
            using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
            return doc.RootElement.Clone();
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    private static string? Claim(JsonElement claims, string name) =>
        claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] + "…" : line;
    }

    [GeneratedRegex(@"^[A-Za-z0-9._\-]+$")]
    private static partial Regex ScopeName();
}
