using System.Text.Json.Serialization;

namespace IoTOwnerBot.Emulator.Hosting;

/// <summary>The <c>{"error":{"code","message"}}</c> body ARM (CloudError), Graph and Log Analytics share.</summary>
public sealed record ErrorEnvelope(ErrorBody Error)
{
    public static ErrorEnvelope Of(string code, string message) => new(new ErrorBody(code, message));
}

public sealed record ErrorBody(string Code, string Message);

/// <summary>The OAuth 2.0 error body of the Entra token endpoint.</summary>
public sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription,
    [property: JsonPropertyName("error_codes")] IReadOnlyList<int> ErrorCodes,
    [property: JsonPropertyName("timestamp")] string Timestamp,
    [property: JsonPropertyName("trace_id")] string TraceId,
    [property: JsonPropertyName("correlation_id")] string CorrelationId);

/// <summary>Which emulated service a request is addressed to; decides the error dialect.</summary>
public enum EmulatorArea
{
    Other,
    Arm,
    Graph,
    LogAnalytics,
    Entra,
    Admin,

    /// <summary>The Bot Connector service of Teams (<c>/teams/v3/…</c>).</summary>
    Teams,

    /// <summary>The Bot Framework token issuer's OpenID metadata and keys (<c>/botframework/…</c>).</summary>
    BotFramework,
}

internal static class Areas
{
    public static EmulatorArea Of(PathString path) =>
        path.StartsWithSegments("/arm", StringComparison.OrdinalIgnoreCase) ? EmulatorArea.Arm
        : path.StartsWithSegments("/graph", StringComparison.OrdinalIgnoreCase) ? EmulatorArea.Graph
        : path.StartsWithSegments("/loganalytics", StringComparison.OrdinalIgnoreCase) ? EmulatorArea.LogAnalytics
        : path.StartsWithSegments("/entra", StringComparison.OrdinalIgnoreCase) ? EmulatorArea.Entra
        // The lab page drives the admin API: like it, never journaled or faulted.
        : path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/lab", StringComparison.OrdinalIgnoreCase) ? EmulatorArea.Admin
        : path.StartsWithSegments("/teams", StringComparison.OrdinalIgnoreCase) ? EmulatorArea.Teams
        : path.StartsWithSegments("/botframework", StringComparison.OrdinalIgnoreCase) ? EmulatorArea.BotFramework
        : EmulatorArea.Other;

    private static System.Text.Json.JsonSerializerOptions Options(HttpContext context) =>
        context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;

    /// <summary>Writes an error in the dialect of the area the request went to.</summary>
    public static Task WriteErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        if (Of(context.Request.Path) == EmulatorArea.Entra)
        {
            var now = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            var error = new OAuthError(code, message, [], now, Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
            return context.Response.WriteAsJsonAsync(error, Options(context), cancellationToken: context.RequestAborted);
        }
        return context.Response.WriteAsJsonAsync(ErrorEnvelope.Of(code, message), Options(context), cancellationToken: context.RequestAborted);
    }
}
