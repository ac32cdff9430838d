using System.Globalization;
using System.Text.Json.Nodes;

using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Outlook;
using IoTOwnerBot.Emulator.Tenant;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IoTOwnerBot.Emulator.Graph;

/// <summary>Microsoft Graph v1.0 under <c>/graph</c>: users, manager, mailbox settings, sendMail and message lists.</summary>
public static class GraphEndpoints
{
    private static readonly string[] DefaultUserFields =
        ["businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"];

    public static IEndpointRouteBuilder MapGraphEndpoints(this IEndpointRouteBuilder routes)
    {
        var users = routes.MapGroup("/graph/v1.0/users");
        users.MapGet("", ListUsers);
        users.MapGet("/{id}", GetUser);
        users.MapGet("/{id}/manager", GetManager);
        users.MapGet("/{id}/mailboxSettings", GetMailboxSettings);
        users.MapPost("/{id}/sendMail", SendMail);
        users.MapGet("/{id}/messages", ListInbox);
        users.MapGet("/{id}/mailFolders/{folder}/messages", ListFolder);
        return routes;
    }

    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> GetUser(
        string id, [FromQuery(Name = "$select")] string? select, TenantWorld tenant, EmulatorContext emulator) =>
        tenant.FindUser(id) is { } user
            ? TypedResults.Ok(UserJson(user, select, $"{emulator.GraphAudience}/v1.0/$metadata#users/$entity"))
            : UserNotFound(id);

    /// <summary>
    /// <c>GET /users</c> with the default (non-advanced) filters a directory lookup uses: <c>prop eq 'value'</c> on
    /// id, userPrincipalName, mail and displayName, and <c>proxyAddresses/any(a:a eq 'smtp:…')</c>. Directory string
    /// comparisons ignore case, as Entra's do; any other filter is refused the way Graph refuses it.
    /// </summary>
    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> ListUsers(
        [FromQuery(Name = "$filter")] string? filter, [FromQuery(Name = "$select")] string? select, [FromQuery(Name = "$top")] int? top,
        TenantWorld tenant, EmulatorContext emulator)
    {
        Func<DirectoryUser, bool> matches = _ => true;
        if (!string.IsNullOrWhiteSpace(filter))
        {
            if (UserFilter.Parse(filter) is not { } parsed)
            {
                return Error(400, "Request_UnsupportedQuery", $"Unsupported or invalid query filter clause specified for resource 'User': {filter}");
            }
            matches = parsed;
        }
        if (top is < 1 or > 999)
        {
            return Error(400, "Request_BadRequest", $"Invalid page size specified: '{top}'. Must be between 1 and 999 inclusive.");
        }
        var page = new JsonArray();
        foreach (var user in tenant.Users.Where(matches).Take(top ?? 100))
        {
            var json = UserJson(user, select, "");
            json.Remove("@odata.context");
            page.Add(json);
        }
        return TypedResults.Ok(new JsonObject
        {
            ["@odata.context"] = $"{emulator.GraphAudience}/v1.0/$metadata#users",
            ["value"] = page,
        });
    }

    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> GetManager(
        string id, [FromQuery(Name = "$select")] string? select, TenantWorld tenant, EmulatorContext emulator)
    {
        if (tenant.FindUser(id) is not { } user)
        {
            return UserNotFound(id);
        }
        if (user.Manager is null || tenant.FindUser(user.Manager) is not { } manager)
        {
            return Error(404, "Request_ResourceNotFound", "Resource 'manager' does not exist or one of its queried reference-property objects are not present.");
        }
        var json = UserJson(manager, select, $"{emulator.GraphAudience}/v1.0/$metadata#directoryObjects/$entity");
        json["@odata.type"] = "#microsoft.graph.user";
        return TypedResults.Ok(json);
    }

    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> GetMailboxSettings(string id, TenantWorld tenant, EmulatorContext emulator)
    {
        if (tenant.FindUser(id) is not { } user)
        {
            return UserNotFound(id);
        }
        if (user.Mail is null)
        {
            return NoMailbox();
        }
        return TypedResults.Ok(new JsonObject
        {
            ["@odata.context"] = $"{emulator.GraphAudience}/v1.0/$metadata#users('{user.Id}')/mailboxSettings",
            ["archiveFolder"] = "AAMkAGArchive",
            ["timeZone"] = user.TimeZone ?? "UTC",
            ["delegateMeetingMessageDeliveryOptions"] = "sendToDelegateOnly",
            ["dateFormat"] = "yyyy-MM-dd",
            ["timeFormat"] = "HH:mm",
            ["userPurpose"] = "user",
            ["language"] = new JsonObject
            {
                ["locale"] = user.PreferredLanguage ?? "en-US",
                ["displayName"] = CultureDisplayName(user.PreferredLanguage ?? "en-US"),
            },
            ["automaticRepliesSetting"] = new JsonObject { ["status"] = "disabled", ["externalAudience"] = "none" },
        });
    }

    /// <summary>
    /// Validates like Graph, then delivers all-or-nothing. A sender without a mailbox is 404
    /// MailboxNotEnabledForRESTAPI; an unknown sender is 404 ErrorInvalidUser; a tenant recipient without a mailbox is
    /// 400 ErrorInvalidRecipients; recipients in other domains land in external mailboxes.
    /// </summary>
    public static Results<Accepted, JsonHttpResult<ErrorEnvelope>> SendMail(string id, SendMailRequest body, TenantWorld tenant, OutlookWorld outlook)
    {
        if (tenant.FindUser(id) is not { } sender)
        {
            return Error(404, "ErrorInvalidUser", $"The requested user '{id}' is invalid.");
        }
        if (sender.Mail is null)
        {
            return NoMailbox();
        }
        if (body.Message is not { } message)
        {
            return Error(400, "ErrorInvalidParameter", "The value of the parameter 'Message' is empty.");
        }
        var recipients = new[] { message.ToRecipients, message.CcRecipients, message.BccRecipients }.SelectMany(r => r ?? []).ToList();
        if (recipients.Count == 0)
        {
            return Error(400, "ErrorInvalidRecipients", "At least one recipient is required, but none were found.");
        }
        if (recipients.FirstOrDefault(r => string.IsNullOrWhiteSpace(r.EmailAddress?.Address) || !r.EmailAddress.Address.Contains('@', StringComparison.Ordinal)) is { } bad)
        {
            return Error(400, "ErrorInvalidRecipients", $"At least one recipient isn't valid., Recipient '{bad.EmailAddress?.Address}' isn't resolved.");
        }
        if (message.InternetMessageHeaders?.FirstOrDefault(h => h.Name is null || !h.Name.StartsWith("x-", StringComparison.OrdinalIgnoreCase)) is { } header)
        {
            return Error(400, "InvalidInternetMessageHeader", $"The internet message header name '{header.Name}' should start with 'x-' or 'X-'.");
        }
        var contentType = message.Body?.ContentType ?? "Text";
        if (!contentType.Equals("HTML", StringComparison.OrdinalIgnoreCase) && !contentType.Equals("Text", StringComparison.OrdinalIgnoreCase))
        {
            return Error(400, "RequestBodyRead", $"Requested value '{contentType}' was not found.");
        }

        static IReadOnlyList<MailAddress> Addresses(IReadOnlyList<GraphRecipient>? list) =>
            [.. (list ?? []).Select(r => new MailAddress(r.EmailAddress!.Address!.Trim(), r.EmailAddress.Name))];

        var mail = new MailMessage
        {
            Id = "",
            InternetMessageId = $"<{Guid.NewGuid():N}@{sender.Mail[(sender.Mail.IndexOf('@', StringComparison.Ordinal) + 1)..]}>",
            Subject = message.Subject ?? "",
            BodyContentType = contentType.Equals("HTML", StringComparison.OrdinalIgnoreCase) ? "HTML" : "Text",
            Body = message.Body?.Content ?? "",
            From = new MailAddress(sender.Mail, sender.DisplayName),
            To = Addresses(message.ToRecipients),
            Cc = Addresses(message.CcRecipients),
            InternetMessageHeaders = [.. (message.InternetMessageHeaders ?? []).Select(h => new MessageHeader(h.Name!, h.Value ?? ""))],
            Importance = message.Importance?.ToLowerInvariant() ?? "normal",
        };
        var outcome = outlook.Deliver(sender, mail, Addresses(message.BccRecipients), body.SaveToSentItems ?? true);
        return outcome.Succeeded ? TypedResults.Accepted((string?)null) : TypedResults.Json(outcome.Error, statusCode: outcome.Status);
    }

    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> ListInbox(string id, TenantWorld tenant, OutlookWorld outlook, EmulatorContext emulator) =>
        ListFolder(id, "inbox", tenant, outlook, emulator);

    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> ListFolder(string id, string folder, TenantWorld tenant, OutlookWorld outlook, EmulatorContext emulator)
    {
        if (tenant.FindUser(id) is not { } user)
        {
            return UserNotFound(id);
        }
        if (user.Mail is null)
        {
            return NoMailbox();
        }
        MailFolder? known = folder.ToLowerInvariant() switch
        {
            "inbox" => MailFolder.Inbox,
            "sentitems" => MailFolder.SentItems,
            "outbox" => MailFolder.Outbox,
            _ => null,
        };
        if (known is not { } which)
        {
            return Error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
        }
        var messages = outlook.Folder(user.Mail, which).Reverse().Select(MessageJson);
        return TypedResults.Ok(new JsonObject
        {
            ["@odata.context"] = $"{emulator.GraphAudience}/v1.0/$metadata#users('{user.Id}')/messages",
            ["value"] = new JsonArray([.. messages]),
        });
    }

    private static JsonObject UserJson(DirectoryUser user, string? select, string context)
    {
        var all = new JsonObject
        {
            ["id"] = user.Id,
            ["businessPhones"] = new JsonArray(),
            ["displayName"] = user.DisplayName,
            ["givenName"] = user.GivenName,
            ["jobTitle"] = user.JobTitle,
            ["mail"] = user.Mail,
            ["mobilePhone"] = null,
            ["officeLocation"] = user.OfficeLocation,
            ["preferredLanguage"] = user.PreferredLanguage,
            ["surname"] = user.Surname,
            ["userPrincipalName"] = user.UserPrincipalName,
            ["proxyAddresses"] = new JsonArray([.. user.EffectiveProxyAddresses.Select(a => JsonValue.Create(a))]),
        };
        var fields = string.IsNullOrWhiteSpace(select)
            ? DefaultUserFields
            : select.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var result = new JsonObject { ["@odata.context"] = context };
        foreach (var field in fields)
        {
            // $select is honoured loosely: unknown properties are left out instead of failing the request.
            if (all.FirstOrDefault(p => string.Equals(p.Key, field, StringComparison.OrdinalIgnoreCase)) is { Key: not null } property)
            {
                result[property.Key] = property.Value?.DeepClone();
            }
        }
        return result;
    }

    private static JsonObject MessageJson(MailMessage m)
    {
        static JsonObject Recipient(MailAddress a) => new() { ["emailAddress"] = new JsonObject { ["name"] = a.Name ?? a.Address, ["address"] = a.Address } };
        return new JsonObject
        {
            ["id"] = m.Id,
            ["internetMessageId"] = m.InternetMessageId,
            ["subject"] = m.Subject,
            ["importance"] = m.Importance,
            ["isRead"] = false,
            ["receivedDateTime"] = m.ReceivedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["sentDateTime"] = m.ReceivedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["body"] = new JsonObject { ["contentType"] = m.BodyContentType.ToLowerInvariant(), ["content"] = m.Body },
            ["from"] = Recipient(m.From),
            ["sender"] = Recipient(m.From),
            ["toRecipients"] = new JsonArray([.. m.To.Select(a => (JsonNode)Recipient(a))]),
            ["ccRecipients"] = new JsonArray([.. m.Cc.Select(a => (JsonNode)Recipient(a))]),
            ["internetMessageHeaders"] = new JsonArray([.. m.InternetMessageHeaders.Select(h => (JsonNode)new JsonObject { ["name"] = h.Name, ["value"] = h.Value })]),
        };
    }

    private static string CultureDisplayName(string locale)
    {
        try
        {
            return CultureInfo.GetCultureInfo(locale).EnglishName;
        }
        catch (CultureNotFoundException)
        {
            return locale;
        }
    }

    private static JsonHttpResult<ErrorEnvelope> UserNotFound(string id) =>
        Error(404, "Request_ResourceNotFound", $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.");

    private static JsonHttpResult<ErrorEnvelope> NoMailbox() =>
        Error(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.");

    private static JsonHttpResult<ErrorEnvelope> Error(int status, string code, string message) =>
        TypedResults.Json(ErrorEnvelope.Of(code, message), statusCode: status);
}
