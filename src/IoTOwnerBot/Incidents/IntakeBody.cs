using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Incidents;

/// <summary>
/// The intake body, read once and kept: the size limit answers 413 before anything else, and both the
/// HMAC check and the handler see the same bytes.
/// </summary>
internal static class IntakeBody
{
    private static readonly object Key = new();

    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.HttpContext.Items.TryGetValue(Key, out var cached) && cached is ReadOnlyMemory<byte> bytes) return bytes;
        var limit = request.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<IntakeOptions>>().CurrentValue.MaxBodyBytes;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) throw new BodyTooLargeException();
            buffer.Write(chunk, 0, read);
        }
        var result = new ReadOnlyMemory<byte>(buffer.ToArray());
        request.HttpContext.Items[Key] = result;
        return result;
    }

    /// <summary>Rejects oversized intake bodies with 413 before authentication reads them.</summary>
    public static IApplicationBuilder UseIntakeBodyLimit(this IApplicationBuilder app) =>
        app.UseWhen(c => c.Request.Path.StartsWithSegments(IncidentEndpoints.IntakePath), branch => branch.Use(async (context, next) =>
        {
            var limit = context.RequestServices.GetRequiredService<IOptionsMonitor<IntakeOptions>>().CurrentValue.MaxBodyBytes;
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
                feature.MaxRequestBodySize = limit;
            if (context.Request.ContentLength > limit)
            {
                await WriteTooLargeAsync(context, limit);
                return;
            }
            try
            {
                await ReadAsync(context.Request, context.RequestAborted);
            }
            catch (Exception ex) when (ex is BodyTooLargeException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
            {
                await WriteTooLargeAsync(context, limit);
                return;
            }
            await next(context);
        }));

    private static Task WriteTooLargeAsync(HttpContext context, long limit) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
            detail: $"Incident payloads are limited to {limit} bytes.").ExecuteAsync(context);

    public static Task WriteUnauthorizedAsync(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Authentication required",
            detail: "Post incidents with an Entra ID bearer token for the configured audience, or an HMAC-signed body.").ExecuteAsync(context);
    }

    private sealed class BodyTooLargeException : Exception;
}
