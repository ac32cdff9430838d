using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Emulator.Faults;
using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Journal;
using IoTOwnerBot.Emulator.Limits;
using IoTOwnerBot.Emulator.Outlook;
using IoTOwnerBot.Emulator.Samples;
using IoTOwnerBot.Emulator.Sentinel;
using IoTOwnerBot.Emulator.Teams;
using IoTOwnerBot.Emulator.Tenant;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IoTOwnerBot.Emulator.Admin;

/// <summary>
/// The control surface for tests and people (<c>/admin</c>, no auth, loopback callers only): raise incidents from
/// samples, look into mailboxes and incidents, edit the directory, mint tokens, read the journal, inject faults, reset.
/// </summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin").AddEndpointFilter(LoopbackOnly);
        admin.MapGet("", Overview);
        admin.MapGet("/samples", ListSamples);
        admin.MapPost("/incidents", RaiseIncident);
        admin.MapGet("/incidents", ListIncidents);
        admin.MapGet("/incidents/{name}", GetIncident);
        admin.MapGet("/incidents/{name}/trigger", GetTrigger);
        admin.MapGet("/mailboxes", ListMailboxes);
        admin.MapGet("/mailboxes/{address}", GetMailbox);
        admin.MapGet("/users", ListUsers);
        admin.MapPost("/users", UpsertUser);
        admin.MapPost("/tokens", MintToken);
        admin.MapGet("/requests", ListRequests);
        admin.MapDelete("/requests", ClearRequests);
        admin.MapPost("/faults", AddFault);
        admin.MapGet("/faults", ListFaults);
        admin.MapDelete("/faults", ClearFaults);
        admin.MapGet("/access", (TenantWorld tenant) => TypedResults.Ok(tenant.Access));
        admin.MapPut("/access", SetAccess);
        admin.MapGet("/limits", (ProviderThrottle throttle, OutlookWorld outlook) => TypedResults.Ok(LimitsView.Of(throttle, outlook)));
        admin.MapPut("/limits", SetLimits);
        admin.MapPost("/reset", Reset);
        admin.MapTeamsAdmin();
        return routes;
    }

    /// <summary>Replaces the limits in force (every figure has Microsoft's default; an area's <c>enabled: false</c> switches it off) and starts their windows afresh.</summary>
    public static Results<Ok<LimitsView>, JsonHttpResult<ErrorEnvelope>> SetLimits(ProviderLimits body, ProviderThrottle throttle, OutlookWorld outlook)
    {
        if (LimitsView.Invalid(body) is { } problem)
        {
            return Error(400, "BadRequest", problem);
        }
        throttle.Limits = body;
        return TypedResults.Ok(LimitsView.Of(throttle, outlook));
    }

    public static Ok<EmulatorOverview> Overview(EmulatorContext emulator) => TypedResults.Ok(EmulatorOverview.From(emulator));

    public static Ok<List<SampleSummary>> ListSamples(SampleCatalog catalog) =>
        TypedResults.Ok(catalog.Samples
            .Select(s => new SampleSummary(
                s.Name,
                s.Title,
                s.Severity,
                [.. s.Alerts.Select(a => a.ProductName).Distinct(StringComparer.Ordinal)],
                [.. s.Devices.Select(d => new SampleDeviceSummary(d.DeviceName, d.DeviceSubType, d.Owners ?? []))]))
            .ToList());

    public static Results<Created<RaisedIncident>, JsonHttpResult<ErrorEnvelope>> RaiseIncident(RaiseIncidentRequest body, SentinelWorld sentinel)
    {
        var outcome = sentinel.TryRaiseIncident(body);
        return outcome.Succeeded
            ? TypedResults.Created($"/admin/incidents/{outcome.Value!.Incident.Name}", outcome.Value)
            : TypedResults.Json(outcome.Error, statusCode: outcome.Status);
    }

    public static Ok<IReadOnlyList<Incident>> ListIncidents(SentinelWorld sentinel) => TypedResults.Ok(sentinel.Incidents);

    public static Results<Ok<IncidentDetails>, JsonHttpResult<ErrorEnvelope>> GetIncident(string name, SentinelWorld sentinel) =>
        sentinel.GetIncidentDetails(name) is { } details ? TypedResults.Ok(details) : NotFound(name);

    public static Results<Ok<TriggerPayload>, JsonHttpResult<ErrorEnvelope>> GetTrigger(string name, SentinelWorld sentinel) =>
        sentinel.GetTriggerPayload(name) is { } payload ? TypedResults.Ok(payload) : NotFound(name);

    public static Ok<IReadOnlyList<MailboxSummary>> ListMailboxes(OutlookWorld outlook) => TypedResults.Ok(outlook.Mailboxes);

    public static Ok<MailboxView> GetMailbox(string address, OutlookWorld outlook) => TypedResults.Ok(outlook.GetMailbox(address));

    public static Ok<IReadOnlyList<DirectoryUser>> ListUsers(TenantWorld tenant) => TypedResults.Ok(tenant.Users);

    /// <summary>
    /// Adds a user, or changes the one with the same id or UPN: only the fields present in the body change, so
    /// <c>{"userPrincipalName":"x@contoso.example","mail":null}</c> removes that user's mailbox.
    /// </summary>
    public static Results<Ok<DirectoryUser>, JsonHttpResult<ErrorEnvelope>> UpsertUser(JsonObject body, TenantWorld tenant)
    {
        var key = (string?)body["id"] ?? (string?)body["userPrincipalName"];
        if (key is null)
        {
            return Error(400, "BadRequest", "A user needs an id or a userPrincipalName.");
        }
        var merged = tenant.FindUser(key) is { } existing
            ? JsonSerializer.SerializeToNode(existing, EmulatorJson.Default.DirectoryUser)!.AsObject()
            : new JsonObject { ["id"] = Guid.NewGuid().ToString() };
        foreach (var (field, value) in body)
        {
            merged[field] = value?.DeepClone();
        }
        try
        {
            var user = merged.Deserialize(EmulatorJson.Default.DirectoryUser);
            return user is null || string.IsNullOrWhiteSpace(user.UserPrincipalName) || string.IsNullOrWhiteSpace(user.DisplayName)
                ? Error(400, "BadRequest", "A user needs userPrincipalName and displayName.")
                : TypedResults.Ok(tenant.UpsertUser(user));
        }
        catch (JsonException e)
        {
            return Error(400, "BadRequest", e.Message);
        }
    }

    public static Results<Ok<MintedToken>, JsonHttpResult<ErrorEnvelope>> MintToken(TokenRequest body, TokenIssuer issuer)
    {
        try
        {
            var token = issuer.Mint(body, out var expiresOn);
            return TypedResults.Ok(new MintedToken(token, expiresOn));
        }
        catch (ArgumentException e)
        {
            return Error(400, "BadRequest", e.Message);
        }
    }

    public static Ok<IReadOnlyList<JournalEntry>> ListRequests(string? pathContains, RequestJournal journal) => TypedResults.Ok(journal.Requests(pathContains));

    public static NoContent ClearRequests(RequestJournal journal)
    {
        journal.Clear();
        return TypedResults.NoContent();
    }

    public static Results<Created<FaultRule>, JsonHttpResult<ErrorEnvelope>> AddFault(FaultSpec body, FaultRules faults)
    {
        if (body.Validate() is { } problem)
        {
            return Error(400, "BadRequest", problem);
        }
        var rule = faults.Add(body);
        return TypedResults.Created($"/admin/faults/{rule.Id}", rule);
    }

    public static Ok<IReadOnlyList<FaultRule>> ListFaults(FaultRules faults) => TypedResults.Ok(faults.Rules);

    public static NoContent ClearFaults(FaultRules faults)
    {
        faults.Clear();
        return TypedResults.NoContent();
    }

    /// <summary>Withholds application roles from the bot's next tokens and sets its role on the workspace.</summary>
    public static Results<Ok<AccessSettings>, JsonHttpResult<ErrorEnvelope>> SetAccess(AccessSettings body, TenantWorld tenant)
    {
        if (body.WithheldRoles is null || body.WithheldRoles.Any(string.IsNullOrWhiteSpace))
        {
            return Error(400, "BadRequest", "withheldRoles must be a list of role names.");
        }
        if (!Enum.IsDefined(body.Workspace))
        {
            return Error(400, "BadRequest", "workspace must be Responder, Reader or None.");
        }
        tenant.Access = body;
        return TypedResults.Ok(body);
    }

    /// <summary>Every emulated service back to its fixture state.</summary>
    internal static NoContent Reset([FromServices] IEnumerable<IResettable> states)
    {
        foreach (var state in states)
        {
            state.Reset();
        }
        return TypedResults.NoContent();
    }

    private static async ValueTask<object?> LoopbackOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var remote = context.HttpContext.Connection.RemoteIpAddress;
        if (remote is not null && !IPAddress.IsLoopback(remote))
        {
            return Error(403, "Forbidden", "The emulator admin API only answers loopback callers.");
        }
        return await next(context);
    }

    private static JsonHttpResult<ErrorEnvelope> NotFound(string name) => Error(404, "NotFound", $"Incident '{name}' was not found.");

    private static JsonHttpResult<ErrorEnvelope> Error(int status, string code, string message) =>
        TypedResults.Json(ErrorEnvelope.Of(code, message), statusCode: status);
}

/// <summary>Where everything is: <c>GET /admin</c> and the standalone program's banner.</summary>
public sealed record EmulatorOverview(
    string BaseUri,
    string TenantId,
    EmulatorWorkspace Workspace,
    string ArmEndpoint,
    string GraphEndpoint,
    string LogAnalyticsEndpoint,
    string EntraAuthority,
    string TokenEndpoint,
    string OpenIdConfigurationV2,
    string OpenIdConfigurationV1,
    string Jwks,
    string IncidentsUrl,
    string Admin)
{
    internal static EmulatorOverview From(EmulatorContext e) => new(
        e.Base,
        e.TenantId,
        e.Workspace,
        e.ArmAudience,
        e.GraphAudience,
        e.LogAnalyticsAudience,
        $"{e.Base}entra",
        $"{e.Base}entra/{e.TenantId}/oauth2/v2.0/token",
        $"{e.Base}entra/{e.TenantId}/v2.0/.well-known/openid-configuration",
        $"{e.Base}entra/{e.TenantId}/.well-known/openid-configuration",
        $"{e.Base}entra/{e.TenantId}/discovery/v2.0/keys",
        $"{e.ArmAudience}{e.Workspace.SecurityInsightsId}/incidents?api-version=2025-09-01",
        $"{e.Base}admin");
}
