using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Tenant;

using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTOwnerBot.Emulator.Outlook;

/// <summary>The Entra app the emulated Actionable Messages provider uses; the bot's local mode is configured with the same.</summary>
public static class OutlookDefaults
{
    public const string ClientId = "0b7d6c1e-3f2a-4e8d-9c5b-a1d2e3f4a5b6";
    public const string AppIdUri = "api://auth-am-iotownerbot-local/" + ClientId;
    public const string Scope = "Global.Test";
    public const string ProviderId = "a3c1e5f7-emulator-provider";
    public const string SenderMailbox = "iotownerbot@contoso.example";
}

/// <summary>
/// Plays Outlook: clicks a button of the actionable card in a mailbox message. Parses the card out of the HTML
/// <c>&lt;head&gt;</c>, performs its Action.Http exactly as Microsoft's Actions service does (a user token from the
/// emulator's Entra for the clicking user, <c>Card-Correlation-Id</c>, <c>Action-Request-Id</c>, the card's headers,
/// the body string unchanged) and, when the answer says <c>CARD-UPDATE-IN-BODY: true</c>, puts the returned card in
/// place of the old one, as Outlook does.
/// <code>
/// POST /admin/mailboxes/{address}/messages/{messageId|latest}/actions
///   { "title" | "index", "asUser", "requestId"?, "tokenHeader"? ("Authorization" | "Action-Authorization"),
///     "inputs"?: { "&lt;input id&gt;": "&lt;choice title or value&gt;" } (what the user entered; others keep the card's value),
///     "token"?: { "audience", "version", "appId", "tenantId", "scopes", "signing", "lifetimeSeconds", "raw" } }
/// POST /admin/mailboxes/{address}/messages/{messageId|latest}/open   { "asUser" } — runs the card's autoInvokeAction
/// GET  /admin/mailboxes/{address}/messages/{messageId|latest}/card
/// </code>
/// </summary>
public static partial class OutlookClick
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static IEndpointRouteBuilder MapOutlookClickEndpoints(this IEndpointRouteBuilder routes)
    {
        // Cards replaced by action responses, by message id; one store per emulator instance.
        var refreshed = new ConcurrentDictionary<string, JsonObject>(StringComparer.Ordinal);
        var group = routes.MapGroup("/admin/mailboxes/{address}/messages/{messageId}").AddEndpointFilter(LoopbackOnly);
        group.MapPost("/actions", (string address, string messageId, JsonObject body, OutlookWorld outlook, TokenIssuer issuer, CancellationToken ct) =>
            ClickAsync(address, messageId, body, outlook, issuer, refreshed, ct));
        group.MapPost("/open", (string address, string messageId, JsonObject body, OutlookWorld outlook, TokenIssuer issuer, CancellationToken ct) =>
            ClickAsync(address, messageId, new JsonObject { ["open"] = true, ["asUser"] = body["asUser"]?.DeepClone(), ["token"] = body["token"]?.DeepClone() },
                outlook, issuer, refreshed, ct));
        group.MapGet("/card", (string address, string messageId, OutlookWorld outlook) => GetCard(address, messageId, outlook, refreshed));
        return routes;
    }

    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> GetCard(string address, string messageId, OutlookWorld outlook,
        ConcurrentDictionary<string, JsonObject> refreshed)
    {
        if (Find(outlook, address, messageId) is not { } message) return Error(404, "ErrorItemNotFound", $"No message '{messageId}' in {address}.");
        return CurrentCard(message, refreshed) is { } card
            ? TypedResults.Ok(card)
            : Error(404, "NoCard", "The message has no <script type=\"application/adaptivecard+json\"> in its <head>.");
    }

    public static async Task<Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>>> ClickAsync(string address, string messageId, JsonObject body,
        OutlookWorld outlook, TokenIssuer issuer, ConcurrentDictionary<string, JsonObject> refreshed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(issuer);
        if (Find(outlook, address, messageId) is not { } message) return Error(404, "ErrorItemNotFound", $"No message '{messageId}' in {address}.");
        if (CurrentCard(message, refreshed) is not { } card) return Error(400, "NoCard", "The message carries no actionable card.");

        var actions = (card["actions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var title = (string?)body["title"];
        var index = body["index"] is JsonValue i && i.TryGetValue<int>(out var n) ? n : (int?)null;
        // Opening the message runs the card's autoInvokeAction, the same way a click runs a button.
        var opening = body["open"] is JsonValue o && o.TryGetValue<bool>(out var open) && open;
        var action = opening ? card["autoInvokeAction"] as JsonObject
            : title is not null
            ? actions.FirstOrDefault(a => string.Equals((string?)a["title"], title, StringComparison.Ordinal))
            : index is { } at && at >= 0 && at < actions.Count ? actions[at] : null;
        if (action is null && opening) return Error(400, "NoAutoInvokeAction", "The card has no autoInvokeAction to run when the message is opened.");
        if (action is null)
            return Error(400, "NoSuchAction", $"No action {(title is null ? $"#{index}" : $"'{title}'")}. Actions: {string.Join(", ", actions.Select(a => $"'{a["title"]}' ({a["type"]})"))}.");
        if ((string?)action["type"] != "Action.Http")
            return Error(400, "NotActionHttp", $"'{action["title"]}' is {action["type"]}; only Action.Http calls a service.");
        if ((string?)card["version"] != "1.0")
            return Error(400, "CardVersion", $"Outlook shows no Action.Http buttons on a card of version {card["version"]}; it must be 1.0.");

        var method = ((string?)action["method"] ?? "").ToUpperInvariant();
        if (method is not ("GET" or "POST")) return Error(400, "BadMethod", "Action.Http method must be GET or POST.");
        if (!Uri.TryCreate((string?)action["url"], UriKind.Absolute, out var url)
            || !(url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback)))
            return Error(400, "BadUrl", $"Outlook calls HTTPS targets only (the emulator also allows http on loopback), not '{action["url"]}'.");
        // Input substitution as Outlook does it: {{id.value}} in url and body (JSON-escaped in a JSON body).
        var inputs = InputValues(card, body["inputs"] as JsonObject);
        var actionBody = Substitute((string?)action["body"], inputs, json: true);
        if (Substitute((string?)action["url"], inputs, json: false) is { } substitutedUrl && Uri.TryCreate(substitutedUrl, UriKind.Absolute, out var withInputs)) url = withInputs;
        if (method == "POST" && actionBody is null) return Error(400, "NoBody", "An Action.Http POST needs a body.");

        if (body["asUser"] is null && body["token"]?["raw"] is null) return Error(400, "NoUser", "Say who clicks: asUser (UPN or object id).");
        string? token;
        try
        {
            token = Token(body, issuer);
        }
        catch (ArgumentException ex)
        {
            return Error(400, "BadToken", ex.Message);
        }

        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        var contentType = "application/json";
        var tokenHeader = (string?)body["tokenHeader"] ?? "Authorization";
        foreach (var header in (action["headers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = (string?)header["name"] ?? "";
            var value = (string?)header["value"] ?? "";
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) contentType = value;
            // A card that blanks Authorization gets Microsoft's token in Action-Authorization.
            else if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) tokenHeader = value.Length == 0 ? "Action-Authorization" : tokenHeader;
            else request.Headers.TryAddWithoutValidation(name, value);
        }
        if (token is not null) request.Headers.TryAddWithoutValidation(tokenHeader, "Bearer " + token);
        var requestId = (string?)body["requestId"] ?? Guid.NewGuid().ToString();
        request.Headers.TryAddWithoutValidation("Action-Request-Id", requestId);
        request.Headers.TryAddWithoutValidation("Card-Correlation-Id", (string?)card["correlationId"] ?? "");
        if (method == "POST") request.Content = new StringContent(actionBody!, Encoding.UTF8, MediaTypeOnly(contentType));

        using var response = await Http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        var status = Header(response, "CARD-ACTION-STATUS");
        var updateInBody = string.Equals(Header(response, "CARD-UPDATE-IN-BODY"), "true", StringComparison.OrdinalIgnoreCase);
        JsonObject? newCard = null;
        if (response.IsSuccessStatusCode && updateInBody)
        {
            try
            {
                newCard = JsonNode.Parse(text) as JsonObject;
            }
            catch (JsonException)
            {
                newCard = null;
            }
            if (newCard is not null && (string?)newCard["type"] == "AdaptiveCard") refreshed[message.Id] = newCard;
            else newCard = null;
        }

        return TypedResults.Ok(new JsonObject
        {
            ["status"] = (int)response.StatusCode,
            ["cardActionStatus"] = status,
            ["cardUpdated"] = newCard is not null,
            ["card"] = newCard?.DeepClone(),
            ["actionRequestId"] = requestId,
            ["url"] = url.AbsoluteUri,
            ["responseBody"] = newCard is null && text.Length > 0 ? (text.Length > 2000 ? text[..2000] : text) : null,
        });
    }

    /// <summary>
    /// The value of every input on the card: what the click says the user entered (a ChoiceSet choice by its title or
    /// value), else the input's own <c>value</c>, else empty.
    /// </summary>
    private static Dictionary<string, string> InputValues(JsonObject card, JsonObject? entered)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var input in Descendants(card).Where(o => ((string?)o["type"])?.StartsWith("Input.", StringComparison.Ordinal) == true && o["id"] is JsonValue))
        {
            var id = (string)input["id"]!;
            var value = input["value"] is JsonValue v ? v.ToString() : "";
            if (entered?[id] is JsonValue chosen)
            {
                var text = chosen.ToString();
                var choice = (input["choices"] as JsonArray ?? []).OfType<JsonObject>()
                    .FirstOrDefault(c => string.Equals((string?)c["title"], text, StringComparison.Ordinal) || string.Equals((string?)c["value"], text, StringComparison.Ordinal));
                value = choice is null ? text : (string?)choice["value"] ?? text;
            }
            values[id] = value;
        }
        return values;
    }

    private static string? Substitute(string? text, Dictionary<string, string> inputs, bool json)
    {
        if (text is null || inputs.Count == 0) return text;
        return InputReferencePattern().Replace(text, m => inputs.TryGetValue(m.Groups[1].Value, out var value)
            ? json ? JsonEncodedText.Encode(value).ToString() : Uri.EscapeDataString(value)
            : m.Value);
    }

    private static IEnumerable<JsonObject> Descendants(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            yield return obj;
            foreach (var child in obj.SelectMany(p => Descendants(p.Value))) yield return child;
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array.SelectMany(Descendants)) yield return child;
        }
    }

    /// <summary>A user token as Microsoft's Actions service would obtain it: kind User, appid/azp 48af08dc-…, our scope.</summary>
    private static string? Token(JsonObject body, TokenIssuer issuer)
    {
        var t = body["token"] as JsonObject ?? [];
        if (t["raw"] is JsonNode raw) return (string?)raw is { Length: > 0 } text ? text : null;
        var version = (string?)t["version"] ?? "1.0";
        var request = new TokenRequest
        {
            Kind = TokenKind.User,
            User = (string?)body["asUser"],
            Version = version,
            Audience = (string?)t["audience"] ?? (version == "1.0" ? OutlookDefaults.AppIdUri : OutlookDefaults.ClientId),
            AppId = (string?)t["appId"] ?? TokenRequest.ActionableMessagesAppId,
            TenantId = (string?)t["tenantId"],
            Scopes = (string?)t["scopes"] ?? OutlookDefaults.Scope,
            ExtraClaims = t["extraClaims"]?.DeepClone() as JsonObject,
        };
        if (t["lifetimeSeconds"] is JsonValue life && life.TryGetValue<int>(out var seconds)) request.LifetimeSeconds = seconds;
        if ((string?)t["signing"] is { } signing)
            request.Signing = Enum.TryParse<TokenSigning>(signing, ignoreCase: true, out var s) ? s : throw new ArgumentException($"Unknown signing '{signing}'.");
        return issuer.Mint(request);
    }

    private static MailMessage? Find(OutlookWorld outlook, string address, string messageId)
    {
        var messages = outlook.MessagesFor(address);
        return messageId.Equals("latest", StringComparison.OrdinalIgnoreCase)
            ? (messages.Count > 0 ? messages[^1] : null)
            : messages.FirstOrDefault(m => string.Equals(m.Id, messageId, StringComparison.Ordinal));
    }

    private static JsonObject? CurrentCard(MailMessage message, ConcurrentDictionary<string, JsonObject> refreshed)
    {
        if (refreshed.TryGetValue(message.Id, out var card)) return (JsonObject)card.DeepClone();
        return ParseCard(message.Body);
    }

    /// <summary>The card of an HTML body: the <c>application/adaptivecard+json</c> script inside <c>&lt;head&gt;</c>.</summary>
    public static JsonObject? ParseCard(string html)
    {
        var head = HeadPattern().Match(html ?? "");
        if (!head.Success) return null;
        var script = CardScriptPattern().Match(head.Groups[1].Value);
        if (!script.Success) return null;
        try
        {
            return JsonNode.Parse(script.Groups[1].Value) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static string MediaTypeOnly(string contentType) => contentType.Split(';')[0].Trim() is { Length: > 0 } m ? m : "application/json";

    private static async ValueTask<object?> LoopbackOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var remote = context.HttpContext.Connection.RemoteIpAddress;
        return remote is not null && !IPAddress.IsLoopback(remote)
            ? Error(403, "Forbidden", "The emulator admin API only answers loopback callers.")
            : await next(context);
    }

    private static JsonHttpResult<ErrorEnvelope> Error(int status, string code, string message) =>
        TypedResults.Json(ErrorEnvelope.Of(code, message), statusCode: status);

    [GeneratedRegex(@"\{\{([A-Za-z0-9_\-]+)\.value\}\}")]
    private static partial Regex InputReferencePattern();

    [GeneratedRegex("<head[^>]*>(.*?)</head>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex HeadPattern();

    [GeneratedRegex("<script[^>]*type\\s*=\\s*[\"']application/adaptivecard\\+json[\"'][^>]*>(.*?)</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex CardScriptPattern();
}
