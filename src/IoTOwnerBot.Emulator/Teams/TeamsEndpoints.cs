using System.Security.Claims;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Tenant;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IoTOwnerBot.Emulator.Teams;

/// <summary>
/// Teams from the bot's side: the Bot Framework issuer's metadata and keys (<c>/botframework</c>), the Bot Connector
/// REST API (<c>/teams/v3/conversations…</c>, needing the bot's Entra token for <c>{Base}botframework</c>) and Graph's
/// per-user app installation (<c>/graph/v1.0/users/{id}/teamwork/installedApps</c>) with the chat between the user and
/// the app, and the messages of that chat (<c>/graph/v1.0/chats/{chatId}/messages</c>). As in Teams, the Connector
/// cannot list a conversation's activities (<c>GET …/activities</c> answers 405): Graph is the only way to read a chat.
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
        connector.MapGet("/{conversationId}/activities", NoActivityList);

        routes.MapGet("/graph/v1.0/appCatalogs/teamsApps", ListCatalogApps);
        var installed = routes.MapGroup("/graph/v1.0/users/{id}/teamwork/installedApps");
        installed.MapGet("", ListInstalledApps);
        installed.MapPost("", InstallApp);
        installed.MapGet("/{installationId}/chat", GetInstalledAppChat);
        routes.MapGet("/graph/v1.0/chats/{chatId}/messages", ListChatMessages);
        routes.MapGet("/graph/v1.0/teams/{teamId}/channels/{channelId}/messages", ListChannelMessages);
        routes.MapGet("/graph/v1.0/teams/{teamId}/channels/{channelId}/messages/{messageId}/replies", ListReplies);
        return routes;
    }

    // ---------- Bot Connector ----------

    /// <summary>
    /// <c>POST v3/conversations</c>: a 1:1 conversation with one member (29: id or Entra object id). 201 with the id;
    /// idempotent per user; 403 when the app is not installed for the user; group chats are refused as Teams does.
    /// </summary>
    public static Results<Created<JsonObject>, JsonHttpResult<ErrorEnvelope>> CreateConversation(JsonObject body, HttpContext http, TeamsWorld teams, EmulatorContext emulator)
    {
        if ((string?)body["channelData"]?["channel"]?["id"] is { } channelId)
        {
            return CreateThread(channelId, body, http, teams, emulator);
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
        if (teams.FindUser(memberId) is not { } user)
        {
            return Error(400, "BadArgument", "Invalid user identity in provided tenant");
        }
        var outcome = teams.CreateConversation(user, BotId(http.User));
        if (!outcome.Succeeded)
        {
            return TypedResults.Json(outcome.Error, statusCode: outcome.Status);
        }
        if (body["activity"] is JsonObject activity)
        {
            // Sent too, but (as in Teams) the response carries no activity id.
            var posted = teams.Post(outcome.Value!, activity);
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
        string channelId, JsonObject body, HttpContext http, TeamsWorld teams, EmulatorContext emulator)
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
        var outcome = teams.CreateThread(channelId, activity, BotId(http.User));
        return outcome.Succeeded
            ? TypedResults.Created((string?)null, new JsonObject { ["id"] = outcome.Value.ConversationId, ["activityId"] = outcome.Value.RootId })
            : TypedResults.Json(outcome.Error, statusCode: outcome.Status);
    }

    public static Results<Created<JsonObject>, JsonHttpResult<ErrorEnvelope>> SendToConversation(string conversationId, JsonObject body, TeamsWorld teams)
    {
        if (Check(body) is { } problem)
        {
            return problem;
        }
        var outcome = teams.Post(conversationId, body);
        return outcome.Succeeded
            ? TypedResults.Created((string?)null, new JsonObject { ["id"] = outcome.Value })
            : TypedResults.Json(outcome.Error, statusCode: outcome.Status);
    }

    public static Results<Created<JsonObject>, JsonHttpResult<ErrorEnvelope>> ReplyToActivity(string conversationId, string activityId, JsonObject body, TeamsWorld teams)
    {
        body["replyToId"] = activityId;
        return SendToConversation(conversationId, body, teams);
    }

    /// <summary><c>PUT …/activities/{activityId}</c>: the body replaces the message for everyone.</summary>
    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> UpdateActivity(string conversationId, string activityId, JsonObject body, TeamsWorld teams)
    {
        if (Check(body) is { } problem)
        {
            return problem;
        }
        var outcome = teams.Update(conversationId, activityId, body);
        return outcome.Succeeded
            ? TypedResults.Ok(new JsonObject { ["id"] = outcome.Value })
            : TypedResults.Json(outcome.Error, statusCode: outcome.Status);
    }

    /// <summary><c>GET …/pagedmembers</c>: the user of a 1:1 chat with their <c>29:</c> id and Entra object id.</summary>
    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> PagedMembers(string conversationId, TeamsWorld teams, TenantWorld tenant, EmulatorContext emulator)
    {
        if (teams.Chats.FirstOrDefault(c => c.ConversationId == conversationId) is not { } chat)
        {
            return Error(404, "ConversationNotFound", "Conversation not found.");
        }
        var user = tenant.FindUser(chat.UserId);
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
        string id, [FromQuery(Name = "$filter")] string? filter, HttpContext http, TeamsWorld teams, TenantWorld tenant, EmulatorContext emulator)
    {
        if (MissingRole(http.User) is { } forbidden)
        {
            return forbidden;
        }
        if (tenant.FindUser(id) is not { } user)
        {
            return UserNotFound(id);
        }
        var wanted = filter is null ? null : FilterAppId().Match(filter) is { Success: true } m ? m.Groups[1].Value : "(unsupported filter)";
        var value = new JsonArray();
        if (teams.InstallationOf(user.Id) is { } installationId
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
    public static Results<Created, JsonHttpResult<ErrorEnvelope>> InstallApp(string id, JsonObject body, HttpContext http, TeamsWorld teams, TenantWorld tenant)
    {
        if (MissingRole(http.User) is { } forbidden)
        {
            return forbidden;
        }
        if (tenant.FindUser(id) is not { } user)
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
        return teams.Install(user.Id, out _)
            ? TypedResults.Created()
            : Error(409, "Conflict", "App is already installed.");
    }

    /// <summary>Teams does not support reading a conversation's activities through the Connector.</summary>
    public static JsonHttpResult<JsonObject> NoActivityList(HttpContext http)
    {
        http.Response.Headers.Allow = "POST";
        return TypedResults.Json(new JsonObject { ["message"] = "The requested resource does not support http method 'GET'." },
            statusCode: StatusCodes.Status405MethodNotAllowed);
    }

    /// <summary><c>GET users/{id}/teamwork/installedApps/{installationId}/chat</c>: the 1:1 chat between the user and the app.</summary>
    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> GetInstalledAppChat(
        string id, string installationId, HttpContext http, TeamsWorld teams, TenantWorld tenant, EmulatorContext emulator)
    {
        if (MissingRole(http.User) is { } forbidden)
        {
            return forbidden;
        }
        if (tenant.FindUser(id) is not { } user)
        {
            return UserNotFound(id);
        }
        if (!string.Equals(teams.InstallationOf(user.Id), installationId, StringComparison.Ordinal))
        {
            return Error(404, "NotFound", $"The app installation '{installationId}' was not found for the user.");
        }
        var chatId = teams.GraphChatId(user.Id);
        return TypedResults.Ok(new JsonObject
        {
            ["@odata.context"] = $"{emulator.GraphAudience}/v1.0/$metadata#chats/$entity",
            ["id"] = chatId,
            ["topic"] = null,
            ["chatType"] = "oneOnOne",
            ["tenantId"] = emulator.TenantId,
            ["webUrl"] = $"https://teams.microsoft.com/l/chat/{Uri.EscapeDataString(chatId)}/0?tenantId={emulator.TenantId}",
        });
    }

    /// <summary>
    /// <c>GET chats/{chatId}/messages</c>: the chat's messages as Graph <c>chatMessage</c>s, newest first. Needs the
    /// application permission Chat.Read.All or Chat.ReadWrite.All. <c>$top</c> 1–50 (page size, default 50), pages linked by
    /// an absolute <c>@odata.nextLink</c>; <c>$orderby</c> <c>lastModifiedDateTime desc</c> (default) or <c>createdDateTime desc</c>;
    /// <c>$filter</c> on the ordering property only (<c>lastModifiedDateTime</c> gt/lt, <c>createdDateTime</c> lt), else ignored.
    /// </summary>
    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> ListChatMessages(
        string chatId, [FromQuery(Name = "$top")] int? top, [FromQuery(Name = "$orderby")] string? orderBy,
        [FromQuery(Name = "$filter")] string? filter, [FromQuery(Name = "$skiptoken")] string? skipToken,
        HttpContext http, TeamsWorld teams, EmulatorContext emulator)
    {
        if (!http.User.FindAll("roles").Any(r => r.Value is ChatReadRole or "Chat.ReadWrite.All") && http.User.FindFirst("scp") is null)
        {
            return Error(403, "Forbidden", $"Missing role permissions on the request. API requires one of 'ChatMessage.Read.Chat, {ChatReadRole}, Chat.ReadWrite.All'.");
        }
        var pageSize = top ?? 50;
        if (pageSize is < 1 or > 50)
        {
            return Error(400, "BadRequest", "Invalid page size specified: '" + pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture) + "'. Must be between 1 and 50 inclusive.");
        }
        var byCreated = false;
        if (orderBy is not null)
        {
            var order = OrderBy().Match(orderBy);
            if (!order.Success)
            {
                return Error(400, "BadRequest", $"Unsupported orderby clause: {orderBy}. Only 'lastModifiedDateTime desc' and 'createdDateTime desc' are supported.");
            }
            byCreated = string.Equals(order.Groups[1].Value, "createdDateTime", StringComparison.OrdinalIgnoreCase);
        }
        if (teams.GraphChatMessages(chatId) is not { } messages)
        {
            return Error(404, "NotFound", "The requested resource does not exist.");
        }
        DateTime When(TeamsChatMessage m) => byCreated ? m.CreatedAt : m.UpdatedAt ?? m.CreatedAt;
        IEnumerable<TeamsChatMessage> selected = messages.OrderByDescending(When).ThenByDescending(m => m.Id, StringComparer.Ordinal);
        if (filter is not null)
        {
            foreach (var clause in filter.Split(" and ", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var match = DateFilter().Match(clause);
                if (!match.Success || !DateTime.TryParse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture,
                        System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
                {
                    return Error(400, "BadRequest", $"Invalid filter clause: {clause}");
                }
                var created = string.Equals(match.Groups[1].Value, "createdDateTime", StringComparison.OrdinalIgnoreCase);
                var greater = string.Equals(match.Groups[2].Value, "gt", StringComparison.OrdinalIgnoreCase);
                // Graph applies a filter only on the property the messages are ordered by (createdDateTime: lt only).
                if (created != byCreated || (created && greater))
                {
                    continue;
                }
                selected = greater ? selected.Where(m => When(m) > at) : selected.Where(m => When(m) < at);
            }
        }
        var all = selected.ToList();
        var skip = 0;
        if (skipToken is not null && (!int.TryParse(System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(skipToken)),
                System.Globalization.CultureInfo.InvariantCulture, out skip) || skip < 0))
        {
            return Error(400, "BadRequest", "Invalid skip token.");
        }
        var page = all.Skip(skip).Take(pageSize).ToList();
        var botAppId = teams.BotAppId;
        var body = new JsonObject
        {
            ["@odata.context"] = $"{emulator.GraphAudience}/v1.0/$metadata#chats('{chatId}')/messages",
            ["@odata.count"] = page.Count,
            ["value"] = new JsonArray([.. page.Select(m => (JsonNode)ChatMessage(m, chatId, botAppId))]),
        };
        if (skip + page.Count < all.Count)
        {
            var query = new List<string> { $"$top={pageSize}" };
            if (orderBy is not null) query.Add("$orderby=" + Uri.EscapeDataString(orderBy));
            if (filter is not null) query.Add("$filter=" + Uri.EscapeDataString(filter));
            query.Add("$skiptoken=" + Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode((skip + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            body["@odata.nextLink"] = $"{emulator.GraphAudience}/v1.0/chats/{Uri.EscapeDataString(chatId)}/messages?{string.Join('&', query)}";
        }
        return TypedResults.Ok(body);
    }

    /// <summary>A bot's activity as Graph shows it: an application sender, cards as attachments whose content is the card's JSON text.</summary>
    internal static JsonObject ChatMessage(TeamsChatMessage m, string? chatId, string? botAppId, string? replyToId = null, JsonObject? channelIdentity = null)
    {
        var attachments = new JsonArray();
        var html = new System.Text.StringBuilder();
        if ((string?)m.Activity["text"] is { Length: > 0 } text)
        {
            html.Append(System.Net.WebUtility.HtmlEncode(text));
        }
        var index = 0;
        foreach (var attachment in m.Activity["attachments"]?.AsArray() ?? [])
        {
            var attachmentId = $"{m.Id}-{index++}";
            html.Append(System.Globalization.CultureInfo.InvariantCulture, $"<attachment id=\"{attachmentId}\"></attachment>");
            attachments.Add(new JsonObject
            {
                ["id"] = attachmentId,
                ["contentType"] = (string?)attachment?["contentType"],
                ["contentUrl"] = null,
                ["content"] = attachment?["content"]?.ToJsonString(),
                ["name"] = null,
                ["thumbnailUrl"] = null,
                ["teamsAppId"] = null,
            });
        }
        var modified = m.UpdatedAt ?? m.CreatedAt;
        return new JsonObject
        {
            ["id"] = m.Id,
            ["replyToId"] = replyToId,
            ["etag"] = modified.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["messageType"] = "message",
            ["createdDateTime"] = m.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["lastModifiedDateTime"] = modified.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["lastEditedDateTime"] = m.UpdatedAt?.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["deletedDateTime"] = null,
            ["subject"] = null,
            ["summary"] = null,
            ["chatId"] = chatId,
            ["importance"] = "normal",
            ["locale"] = "en-us",
            ["webUrl"] = null,
            ["channelIdentity"] = channelIdentity,
            ["from"] = new JsonObject
            {
                ["application"] = new JsonObject
                {
                    ["@odata.type"] = "#microsoft.graph.teamworkApplicationIdentity",
                    ["id"] = botAppId,
                    ["displayName"] = "IoTOwnerBot",
                    ["applicationIdentityType"] = "bot",
                },
                ["device"] = null,
                ["user"] = null,
            },
            ["body"] = new JsonObject { ["contentType"] = "html", ["content"] = html.ToString() },
            ["attachments"] = attachments,
            ["mentions"] = new JsonArray(),
            ["reactions"] = new JsonArray(),
        };
    }

    private const string ChatReadRole = "Chat.Read.All";

    [GeneratedRegex(@"^\s*(lastModifiedDateTime|createdDateTime)\s+desc\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex OrderBy();

    [GeneratedRegex(@"^\s*(lastModifiedDateTime|createdDateTime)\s+(gt|lt)\s+(\S+)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex DateFilter();

    private static JsonHttpResult<ErrorEnvelope>? MissingRole(ClaimsPrincipal caller) =>
        caller.FindAll("roles").Any(r => r.Value == InstallRole) || caller.FindFirst("scp") is not null
            ? null
            : Error(403, "Forbidden", $"Missing role permissions on the request. API requires one of '{InstallRole}'.");

    [GeneratedRegex(@"teamsApp/id\s+eq\s+'([^']+)'", RegexOptions.IgnoreCase)]
    private static partial Regex FilterAppId();

    private static JsonHttpResult<ErrorEnvelope> UserNotFound(string id) =>
        Error(404, "Request_ResourceNotFound", $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.");

    internal static JsonHttpResult<ErrorEnvelope> Error(int status, string code, string message) =>
        TypedResults.Json(ErrorEnvelope.Of(code, message), statusCode: status);
}
