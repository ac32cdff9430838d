using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using IoTOwnerBot.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTOwnerBot.Questions;

/// <summary>The body of cancel and re-ask: an optional reason, nothing else.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SocActionRequest(string? Reason)
{
    public const int MaxReasonLength = 2000;
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>
    /// The request, or the 400/413 to answer: valid UTF-8, JSON without repeated or unknown members, a string reason of
    /// at most <see cref="MaxReasonLength"/> characters (it goes into an incident comment). No body means no reason.
    /// </summary>
    public static async Task<(SocActionRequest? Request, ProblemHttpResult? Refusal)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength == 0) return (new SocActionRequest((string?)null), null);
        using var body = await JsonBody.ReadAsync(request, MaxBodyBytes, ct);
        if (body.TooLarge) return (null, TypedResults.Problem(statusCode: 413, title: "Payload Too Large", detail: $"The body is at most {MaxBodyBytes} bytes."));
        if (body.Document is not { } document) return (null, Invalid(body.Error!));
        SocActionRequest? parsed;
        try
        {
            parsed = document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Deserialize(SocApiJson.Default.SocActionRequest) : null;
        }
        catch (JsonException)
        {
            return (null, Invalid("The body may only hold \"reason\", a string."));
        }
        if (parsed is null) return (null, Invalid("The body must be a JSON object: {\"reason\": \"…\"}."));
        if (parsed.Reason is { Length: > MaxReasonLength })
            return (null, Invalid(string.Create(CultureInfo.InvariantCulture, $"The reason is at most {MaxReasonLength} characters.")));
        return (parsed, null);
    }

    private static ProblemHttpResult Invalid(string detail) => TypedResults.Problem(statusCode: 400, title: "Invalid request", detail: detail);
}
