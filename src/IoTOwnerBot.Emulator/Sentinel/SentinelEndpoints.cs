using System.Security.Claims;
using System.Text.RegularExpressions;

using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Tenant;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IoTOwnerBot.Emulator.Sentinel;

/// <summary>
/// Microsoft.SecurityInsights incidents under <c>/arm</c>: list, get, PUT with etag, delete, alerts, entities and comments.
/// Literal path segments match case-insensitively (real ids say <c>Incidents</c>).
/// </summary>
public static partial class SentinelEndpoints
{
    private const string IncidentsPath =
        "/arm/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}/providers/Microsoft.SecurityInsights/incidents";

    public static IEndpointRouteBuilder MapSentinelEndpoints(this IEndpointRouteBuilder routes)
    {
        var incidents = routes.MapGroup(IncidentsPath)
            .AddEndpointFilter(RequireApiVersion)
            .AddEndpointFilter(RequireWorkspace)
            .AddEndpointFilter(RequireRole);
        incidents.MapGet("", ListIncidents);
        incidents.MapGet("/{incidentId}", GetIncident);
        incidents.MapPut("/{incidentId}", PutIncident);
        incidents.MapDelete("/{incidentId}", DeleteIncident);
        incidents.MapPost("/{incidentId}/alerts", ListAlerts);
        incidents.MapPost("/{incidentId}/entities", ListEntities);
        incidents.MapGet("/{incidentId}/comments", ListComments);
        incidents.MapGet("/{incidentId}/comments/{commentId}", GetComment);
        incidents.MapPut("/{incidentId}/comments/{commentId}", PutComment);
        routes.MapGroup(PermissionsPath)
            .AddEndpointFilter(RequireApiVersion)
            .AddEndpointFilter(RequireWorkspace)
            .MapGet("", ListPermissions);
        return routes;
    }

    private const string PermissionsPath =
        "/arm/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}/providers/Microsoft.Authorization/permissions";

    /// <summary>
    /// Microsoft.Authorization permissions of the caller on the workspace: the actions of the roles it holds there
    /// (<see cref="TenantWorld.Access"/>), as ARM lists them for the scope.
    /// </summary>
    public static Ok<PermissionList> ListPermissions(TenantWorld tenant) => TypedResults.Ok(new PermissionList(tenant.Access.Workspace switch
    {
        Tenant.WorkspaceAccess.Responder => [SentinelResponderPermissions, LogAnalyticsReaderPermissions],
        Tenant.WorkspaceAccess.Reader => [SentinelReaderPermissions],
        _ => [],
    }));

    // The built-in roles' actions, abridged to what concerns incidents and queries.
    private static readonly RolePermissions SentinelResponderPermissions = new(
        ["Microsoft.SecurityInsights/*/read", "Microsoft.SecurityInsights/incidents/*", "Microsoft.SecurityInsights/cases/*",
            "Microsoft.SecurityInsights/automationRules/*", "Microsoft.OperationalInsights/workspaces/analytics/query/action",
            "Microsoft.OperationalInsights/workspaces/*/read", "Microsoft.Authorization/*/read", "Microsoft.Resources/deployments/*"],
        ["Microsoft.SecurityInsights/cases/*/Delete", "Microsoft.SecurityInsights/incidents/*/Delete"]);
    private static readonly RolePermissions LogAnalyticsReaderPermissions = new(
        ["*/read", "Microsoft.OperationalInsights/workspaces/analytics/query/action", "Microsoft.OperationalInsights/workspaces/search/action"],
        ["Microsoft.OperationalInsights/workspaces/sharedKeys/read"]);
    private static readonly RolePermissions SentinelReaderPermissions = new(
        ["Microsoft.SecurityInsights/*/read", "Microsoft.OperationalInsights/workspaces/analytics/query/action",
            "Microsoft.OperationalInsights/workspaces/*/read", "Microsoft.Authorization/*/read"],
        []);

    public static Results<Ok<IncidentList>, JsonHttpResult<ErrorEnvelope>> ListIncidents(
        HttpRequest request,
        SentinelWorld sentinel,
        EmulatorContext emulator,
        [FromQuery(Name = "$orderby")] string? orderBy,
        [FromQuery(Name = "$filter")] string? filter,
        [FromQuery(Name = "$top")] string? top,
        [FromQuery(Name = "$skipToken")] string? skipToken)
    {
        var pageSize = emulator.Settings.DefaultPageSize;
        if (top is not null && (!int.TryParse(top, out pageSize) || pageSize < 1 || pageSize > IncidentQuery.MaxTop))
        {
            return Error(400, "BadRequest", $"The value of $top must be an integer between 1 and {IncidentQuery.MaxTop}.");
        }
        var offset = IncidentQuery.DecodeSkipToken(skipToken);
        if (offset < 0)
        {
            return Error(400, "BadRequest", "The $skipToken is invalid.");
        }
        if (IncidentQuery.TryFilter(sentinel.Incidents, filter, out var filtered) is { } filterError)
        {
            return Error(400, "BadRequest", filterError);
        }
        if (IncidentQuery.TryOrder(filtered, orderBy, out var ordered) is { } orderError)
        {
            return Error(400, "BadRequest", orderError);
        }

        var all = ordered.ToList();
        var page = all.Skip(offset).Take(pageSize).ToList();
        string? nextLink = null;
        if (offset + page.Count < all.Count)
        {
            var query = request.Query
                .Where(q => !string.Equals(q.Key, "$skipToken", StringComparison.OrdinalIgnoreCase))
                .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
                .Append($"$skipToken={Uri.EscapeDataString(IncidentQuery.EncodeSkipToken(offset + page.Count))}");
            nextLink = $"{emulator.Base.TrimEnd('/')}{request.Path}?{string.Join('&', query)}";
        }
        return TypedResults.Ok(new IncidentList(page, nextLink));
    }

    public static Results<Ok<Incident>, JsonHttpResult<ErrorEnvelope>> GetIncident(string incidentId, SentinelWorld sentinel) =>
        sentinel.FindIncident(incidentId) is { } incident ? TypedResults.Ok(incident) : IncidentNotFound(incidentId);

    public static Results<Ok<Incident>, Created<Incident>, JsonHttpResult<ErrorEnvelope>> PutIncident(
        string incidentId, IncidentWriteRequest body, SentinelWorld sentinel)
    {
        if (!IncidentName().IsMatch(incidentId))
        {
            return Error(400, "BadRequest", $"The incident id '{incidentId}' is not valid.");
        }
        var outcome = sentinel.WriteIncident(incidentId, body);
        return !outcome.Succeeded ? TypedResults.Json(outcome.Error, statusCode: outcome.Status)
            : outcome.Status == StatusCodes.Status201Created ? TypedResults.Created((string?)null, outcome.Value!)
            : TypedResults.Ok(outcome.Value!);
    }

    public static Results<Ok, NoContent> DeleteIncident(string incidentId, SentinelWorld sentinel) =>
        sentinel.DeleteIncident(incidentId) ? TypedResults.Ok() : TypedResults.NoContent();

    public static Results<Ok<AlertList>, JsonHttpResult<ErrorEnvelope>> ListAlerts(string incidentId, SentinelWorld sentinel) =>
        sentinel.AlertsOf(incidentId) is { } alerts ? TypedResults.Ok(new AlertList(alerts)) : IncidentNotFound(incidentId);

    /// <summary>IoT preview fields (owners, site, zone, sensor, ...) appear only with a <c>-preview</c> api-version.</summary>
    public static Results<Ok<EntityList>, JsonHttpResult<ErrorEnvelope>> ListEntities(
        string incidentId, [FromQuery(Name = "api-version")] string apiVersion, SentinelWorld sentinel)
    {
        var preview = apiVersion.EndsWith("-preview", StringComparison.OrdinalIgnoreCase);
        if (sentinel.EntitiesOf(incidentId, preview) is not { } entities)
        {
            return IncidentNotFound(incidentId);
        }
        var counts = entities.GroupBy(e => e.Kind, StringComparer.Ordinal).Select(g => new EntityKindCount(g.Key, g.Count())).ToList();
        return TypedResults.Ok(new EntityList(entities, counts));
    }

    public static Results<Ok<CommentList>, JsonHttpResult<ErrorEnvelope>> ListComments(string incidentId, SentinelWorld sentinel) =>
        sentinel.FindIncident(incidentId) is null ? IncidentNotFound(incidentId)
            : TypedResults.Ok(new CommentList([.. sentinel.CommentsOf(incidentId).OrderByDescending(c => c.Properties.CreatedTimeUtc)]));

    public static Results<Ok<IncidentComment>, JsonHttpResult<ErrorEnvelope>> GetComment(string incidentId, string commentId, SentinelWorld sentinel) =>
        sentinel.FindIncident(incidentId) is null ? IncidentNotFound(incidentId)
            : sentinel.CommentsOf(incidentId).FirstOrDefault(c => string.Equals(c.Name, commentId, StringComparison.OrdinalIgnoreCase)) is { } comment
                ? TypedResults.Ok(comment)
                : Error(404, "NotFound", $"Comment '{commentId}' was not found on incident '{incidentId}'.");

    public static Results<Ok<IncidentComment>, Created<IncidentComment>, JsonHttpResult<ErrorEnvelope>> PutComment(
        string incidentId, string commentId, CommentWriteRequest body, SentinelWorld sentinel, ClaimsPrincipal caller)
    {
        if (IncidentWrites.ValidateComment(body) is { } invalid)
        {
            return Error(400, "BadRequest", invalid);
        }
        var outcome = sentinel.WriteComment(incidentId, commentId, body.Properties!.Message!, caller);
        return !outcome.Succeeded ? TypedResults.Json(outcome.Error, statusCode: outcome.Status)
            : outcome.Status == StatusCodes.Status201Created ? TypedResults.Created((string?)null, outcome.Value!)
            : TypedResults.Ok(outcome.Value!);
    }

    private static async ValueTask<object?> RequireApiVersion(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var apiVersion = context.HttpContext.Request.Query["api-version"].ToString();
        if (string.IsNullOrEmpty(apiVersion))
        {
            return Error(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
        }
        if (!ApiVersion().IsMatch(apiVersion))
        {
            return Error(400, "InvalidApiVersionParameter", $"The api-version '{apiVersion}' is invalid. The supported versions are in the format 'yyyy-MM-dd' or 'yyyy-MM-dd-preview'.");
        }
        return await next(context);
    }

    private static async ValueTask<object?> RequireWorkspace(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var values = context.HttpContext.Request.RouteValues;
        var workspace = context.HttpContext.RequestServices.GetRequiredService<EmulatorContext>().Workspace;
        string Value(string key) => values[key] as string ?? "";
        if (!workspace.Matches(Value("subscriptionId"), Value("resourceGroupName"), Value("workspaceName")))
        {
            return Error(404, "ResourceNotFound",
                $"The Resource 'Microsoft.OperationalInsights/workspaces/{Value("workspaceName")}' under resource group '{Value("resourceGroupName")}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
        }
        return await next(context);
    }

    /// <summary>The caller's role on the workspace: without one ARM refuses every call, a reader may not write.</summary>
    private static async ValueTask<object?> RequireRole(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var access = http.RequestServices.GetRequiredService<TenantWorld>().Access.Workspace;
        // Listing alerts and entities are POSTs that only read.
        var path = http.Request.Path.Value ?? "";
        var reads = HttpMethods.IsGet(http.Request.Method)
            || path.EndsWith("/alerts", StringComparison.OrdinalIgnoreCase) || path.EndsWith("/entities", StringComparison.OrdinalIgnoreCase);
        if (access == Tenant.WorkspaceAccess.None || (access == Tenant.WorkspaceAccess.Reader && !reads))
        {
            var values = http.Request.RouteValues;
            var scope = $"/subscriptions/{values["subscriptionId"]}/resourceGroups/{values["resourceGroupName"]}/providers/Microsoft.OperationalInsights/workspaces/{values["workspaceName"]}/providers/Microsoft.SecurityInsights";
            var oid = http.User.FindFirst("oid")?.Value ?? "unknown";
            var action = reads ? "Microsoft.SecurityInsights/incidents/read" : "Microsoft.SecurityInsights/incidents/write";
            return Error(403, "AuthorizationFailed",
                $"The client '{oid}' with object id '{oid}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.");
        }
        return await next(context);
    }

    private static JsonHttpResult<ErrorEnvelope> IncidentNotFound(string incidentId) =>
        Error(404, "NotFound", $"Incident '{incidentId}' was not found.");

    private static JsonHttpResult<ErrorEnvelope> Error(int status, string code, string message) =>
        TypedResults.Json(ErrorEnvelope.Of(code, message), statusCode: status);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(-preview)?$")]
    private static partial Regex ApiVersion();

    [GeneratedRegex(@"^[A-Za-z0-9\-]{1,64}$")]
    private static partial Regex IncidentName();
}
