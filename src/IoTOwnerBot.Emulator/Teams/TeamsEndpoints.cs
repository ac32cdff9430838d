using System.Security.Claims;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using IoTOwnerBot.Emulator.Hosting;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IoTOwnerBot.Emulator.Teams;

/// <summary>
/// Teams from the bot's side: the Bot Framework issuer's metadata and keys (<c>/botframework</c>), the Bot Connector
/// REST API (<c>/teams/v3/conversations…</c>, needing the bot's Entra token for <c>{Base}botframework</c>) and Graph's
/// per-user app installation (<c>/graph/v1.0/users/{id}/teamwork/installedApps</c>).
/// </summary>
public static partial class TeamsEndpoints
{
    /// <summary>Bot messages over ~100 KB (UTF-16) are refused by Teams.</summary>
    public const int MaxActivityUtf16Bytes = 100 * 1024;

    private const string InstallRole = "TeamsAppInstallation.ReadWriteSelfForUser.All";

    public static IEndpointRouteBuilder MapTeamsEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/botframework/v1/.well-known/openidconfiguration", (BotFrameworkKeys keys) => TypedResults.Ok(keys.Metadata()));
        routes.MapGet("/botframework/v1/.well-known/keys", (BotFrameworkKeys keys) => TypedResults.Ok(keys.Jwks()));

        var connector = routes.MapGroup("/teams/v3/conversations");
        connector.MapPost("", CreateConversation);
        connector.MapPost("/{conversationId}/activities", SendToConversation);
        connector.MapPost("/{conversationId}/activities/{activityId}", ReplyToActivity);
        connector.MapPut("/{conversationId}/activities/{activityId}", UpdateActivity);
        connector.MapGet("/{conversationId}/pagedmembers", PagedMembers);

        routes.MapGet("/graph/v1.0/appCatalogs/teamsApps", ListCatalogApps);
        var installed = routes.MapGroup("/graph/v1.0/users/{id}/teamwork/installedApps");
        installed.MapGet("", ListInstalledApps);
        installed.MapPost("", InstallApp);
        return routes;
    }

    // ---------- Bot Connector ----------

    /// <summary>
    /// <c>POST v3/conversations</c>: a 1:1 conversation with one member (29: id or Entra object id). 201 with the id;
    /// idempotent per user; 403 when the app is not installed for the user; group chats are refused as Teams does.
    /// </summary>
    public static Results<Created<JsonObject>, JsonHttpResult<ErrorEnvelope>> CreateConversation(JsonObject body, HttpContext http, EmulatorState state, EmulatorContext emulator)
    {
        if ((string?)body["channelData"]?["channel"]?["id"] is { } channelId)
        {
            return CreateThread(channelId, body, http, state, emulator);
        }
        if (body["isGroup"]?.GetValue<bool>() == true || body["members"] is not JsonArray { Count: 1 } members)
        {
            return Error(400, "BadSyntax", "Incorrect conversation creation parameters");
        }
        var tenant = (string?)body["tenantId"] ?? (string?)body["channelData"]?["tenant"]?["id"];
        if (string.IsNullOrWhiteSpace(tenant))
        {
            return Error(400, "BadSyntax", "Incorrect conversation creation parameters: tenantId is required.");
        }
        if (!string.Equals(tenant, emulator.TenantId, StringComparison.OrdinalIgnoreCase))
        {
            return Error(403, "Forbidden", $"The bot is not part of the tenant '{tenant}'.");
        }
        var memberId = (string?)members[0]?["id"] ?? "";
        if (state.Teams.FindUser(memberId) is not { } user)
        {
            return Error(400, "BadArgument", "Invalid user identity in provided tenant");
        }
        var outcome = state.Teams.CreateConversation(user, BotId(http.User));
        if (!outcome.Succeeded)
        {
            return TypedResults.Json(outcome.Error, statusCode: outcome.Status);
        }
        if (body["activity"] is JsonObject activity)
        {
            // Sent too, but (as in Teams) the response carries no activity id.
            var posted = state.Teams.Post(outcome.Value!, activity);
            if (!posted.Succeeded)
            {
                return TypedResults.Json(posted.Error, statusCode: posted.Status);
            }
        }
        return TypedResults.Created((string?)null, new JsonObject { ["id"] = outcome.Value });
    }

    /// <summary>
    /// A new thread in a team channel (<c>channelData.channel.id</c>; the team id targets General). The activity is
    /// required (Teams answers 400 BadSyntax without it); 201 with <c>{channelId};messageid={rootId}</c> and the root id.
    /// </summary>
    private static Results<Created<JsonObject>, JsonHttpResult<ErrorEnvelope>> CreateThread(
        string channelId, JsonObject body, HttpContext http, EmulatorState state, EmulatorContext emulator)
    {
        if (body["activity"] is not JsonObject activity)
        {
            return Error(400, "BadSyntax", "Incorrect conversation creation parameters");
        }
        if (Check(activity) is { } problem)
        {
            return problem;
        }
        var tenant = (string?)body["tenantId"] ?? (string?)body["channelData"]?["tenant"]?["id"];
        if (tenant is not null && !string.Equals(tenant, emulator.TenantId, StringComparison.OrdinalIgnoreCase))
        {
            return Error(403, "Forbidden", $"The bot is not part of the tenant '{tenant}'.");
        }
        var outcome = state.Teams.CreateThread(channelId, activity, BotId(http.User));
        return outcome.Succeeded
            ? TypedResults.Created((string?)null, new JsonObject { ["id"] = outcome.Value.ConversationId, ["activityId"] = outcome.Value.RootId })
            : TypedResults.Json(outcome.Error, statusCode: outcome.Status);
    }

    public static Results<Created<JsonObject>, JsonHttpResult<ErrorEnvelope>> SendToConversation(string conversationId, JsonObject body, EmulatorState state)
    {
        if (Check(body) is { } problem)
        {
            return problem;
        }
        var outcome = state.Teams.Post(conversationId, body);
        return outcome.Succeeded
            ? TypedResults.Created((string?)null, new JsonObject { ["id"] = outcome.Value })
            : TypedResults.Json(outcome.Error, statusCode: outcome.Status);
    }

    public static Results<Created<JsonObject>, JsonHttpResult<ErrorEnvelope>> ReplyToActivity(string conversationId, string activityId, JsonObject body, EmulatorState state)
    {
        body["replyToId"] = activityId;
        return SendToConversation(conversationId, body, state);
    }

    /// <summary><c>PUT …/activities/{activityId}</c>: the body replaces the message for everyone.</summary>
    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> UpdateActivity(string conversationId, string activityId, JsonObject body, EmulatorState state)
    {
        if (Check(body) is { } problem)
        {
            return problem;
        }
        var outcome = state.Teams.Update(conversationId, activityId, body);
        return outcome.Succeeded
            ? TypedResults.Ok(new JsonObject { ["id"] = outcome.Value })
            : TypedResults.Json(outcome.Error, statusCode: outcome.Status);
    }

    /// <summary><c>GET …/pagedmembers</c>: the user of a 1:1 chat with their <c>29:</c> id and Entra object id.</summary>
    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> PagedMembers(string conversationId, EmulatorState state, EmulatorContext emulator)
    {
        if (state.Teams.Chats.FirstOrDefault(c => c.ConversationId == conversationId) is not { } chat)
        {
            return Error(404, "ConversationNotFound", "Conversation not found.");
        }
        var user = state.FindUser(chat.UserId);
        return TypedResults.Ok(new JsonObject
        {
            ["members"] = new JsonArray(new JsonObject
            {
                ["id"] = chat.TeamsUserId,
                ["name"] = user?.DisplayName,
                ["aadObjectId"] = chat.UserId,
                ["userPrincipalName"] = user?.UserPrincipalName,
                ["email"] = user?.Mail,
                ["tenantId"] = emulator.TenantId,
                ["userRole"] = "user",
            }),
        });
    }

    private static JsonHttpResult<ErrorEnvelope>? Check(JsonObject activity)
    {
        if ((string?)activity["type"] is not { Length: > 0 })
        {
            return Error(400, "BadArgument", "Activity type is required.");
        }
        return activity.ToJsonString().Length * sizeof(char) > MaxActivityUtf16Bytes
            ? Error(413, "MessageSizeTooBig", "Message size too big.")
            : null;
    }

    private static string BotId(ClaimsPrincipal caller) =>
        "28:" + (caller.FindFirst("appid")?.Value ?? caller.FindFirst("azp")?.Value ?? "unknown-bot");

    // ---------- Graph: per-user app installation ----------

    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> ListInstalledApps(
        string id, [FromQuery(Name = "$filter")] string? filter, HttpContext http, EmulatorState state, EmulatorContext emulator)
    {
        if (MissingRole(http.User) is { } forbidden)
        {
            return forbidden;
        }
        if (state.FindUser(id) is not { } user)
        {
            return UserNotFound(id);
        }
        var wanted = filter is null ? null : FilterAppId().Match(filter) is { Success: true } m ? m.Groups[1].Value : "(unsupported filter)";
        var value = new JsonArray();
        if (state.Teams.InstallationOf(user.Id) is { } installationId
            && (wanted is null || string.Equals(wanted, TeamsWorld.CatalogAppId, StringComparison.OrdinalIgnoreCase)))
        {
            value.Add(new JsonObject
            {
                ["id"] = installationId,
                ["teamsApp"] = new JsonObject
                {
                    ["id"] = TeamsWorld.CatalogAppId,
                    ["externalId"] = TeamsWorld.ManifestAppId,
                    ["displayName"] = "IoTOwnerBot",
                    ["distributionMethod"] = "organization",
                },
            });
        }
        return TypedResults.Ok(new JsonObject
        {
            ["@odata.context"] = $"{emulator.GraphAudience}/v1.0/$metadata#users('{user.Id}')/teamwork/installedApps(teamsApp())",
            ["value"] = value,
        });
    }

    /// <summary>The org catalog: the one uploaded app, found by <c>id</c> or <c>externalId</c> (needs AppCatalog.Read.All).</summary>
    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> ListCatalogApps(
        [FromQuery(Name = "$filter")] string? filter, HttpContext http, EmulatorContext emulator)
    {
        if (!http.User.FindAll("roles").Any(r => r.Value is CatalogReadRole or "AppCatalog.ReadWrite.All") && http.User.FindFirst("scp") is null)
        {
            return Error(403, "Forbidden", $"Missing role permissions on the request. API requires one of '{CatalogReadRole}, AppCatalog.ReadWrite.All'.");
        }
        var match = filter is null ? null : CatalogFilter().Match(filter);
        if (match is { Success: false })
        {
            return Error(400, "BadRequest", $"Invalid filter clause: {filter}");
        }
        var value = new JsonArray();
        var wanted = match?.Groups[2].Value;
        var field = match?.Groups[1].Value;
        if (wanted is null
            || string.Equals(wanted, string.Equals(field, "externalId", StringComparison.OrdinalIgnoreCase) ? TeamsWorld.ManifestAppId : TeamsWorld.CatalogAppId, StringComparison.OrdinalIgnoreCase))
        {
            value.Add(new JsonObject
            {
                ["id"] = TeamsWorld.CatalogAppId,
                ["externalId"] = TeamsWorld.ManifestAppId,
                ["displayName"] = "IoTOwnerBot",
                ["distributionMethod"] = "organization",
            });
        }
        return TypedResults.Ok(new JsonObject
        {
            ["@odata.context"] = $"{emulator.GraphAudience}/v1.0/$metadata#appCatalogs/teamsApps",
            ["value"] = value,
        });
    }

    private const string CatalogReadRole = "AppCatalog.Read.All";

    [GeneratedRegex(@"^\s*(id|externalId)\s+eq\s+'([^']+)'\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex CatalogFilter();

    /// <summary>201 on install, 409 when already installed, 404 for an app that is not in the org catalog.</summary>
    public static Results<Created, JsonHttpResult<ErrorEnvelope>> InstallApp(string id, JsonObject body, HttpContext http, EmulatorState state)
    {
        if (MissingRole(http.User) is { } forbidden)
        {
            return forbidden;
        }
        if (state.FindUser(id) is not { } user)
        {
            return UserNotFound(id);
        }
        var bind = (string?)body["teamsApp@odata.bind"];
        var appId = bind?[(bind.LastIndexOf('/') + 1)..].Trim('\'', '(', ')');
        if (bind is null || !bind.Contains("/appCatalogs/teamsApps/", StringComparison.OrdinalIgnoreCase))
        {
            return Error(400, "BadRequest", "The 'teamsApp@odata.bind' property is required and must point at appCatalogs/teamsApps/{id}.");
        }
        if (!string.Equals(appId, TeamsWorld.CatalogAppId, StringComparison.OrdinalIgnoreCase))
        {
            return Error(404, "NotFound", $"The app '{appId}' was not found in the app catalog.");
        }
        return state.Teams.Install(user.Id, out _)
            ? TypedResults.Created()
            : Error(409, "Conflict", "App is already installed.");
    }

    private static JsonHttpResult<ErrorEnvelope>? MissingRole(ClaimsPrincipal caller) =>
        caller.FindAll("roles").Any(r => r.Value == InstallRole) || caller.FindFirst("scp") is not null
            ? null
            : Error(403, "Forbidden", $"Missing role permissions on the request. API requires one of '{InstallRole}'.");

    [GeneratedRegex(@"teamsApp/id\s+eq\s+'([^']+)'", RegexOptions.IgnoreCase)]
    private static partial Regex FilterAppId();

    private static JsonHttpResult<ErrorEnvelope> UserNotFound(string id) =>
        Error(404, "Request_ResourceNotFound", $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.");

    private static JsonHttpResult<ErrorEnvelope> Error(int status, string code, string message) =>
        TypedResults.Json(ErrorEnvelope.Of(code, message), statusCode: status);
}
