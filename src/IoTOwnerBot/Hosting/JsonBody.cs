using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace IoTOwnerBot.Hosting;

/// <summary>
/// Reads a JSON request body strictly, whatever its framing (Content-Length or chunked): at most a fixed number of
/// bytes (more is <see cref="JsonBodyResult.TooLarge"/>, answered 413), valid UTF-8 throughout, and no object that
/// names a member twice (a "last one wins" parser would let a body say two things at once).
/// </summary>
public static class JsonBody
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    public static async Task<JsonBodyResult> ReadAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength is { } length && length > maxBytes) return new JsonBodyResult(null, null, TooLarge: true);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(maxBytes + 1, 64 * 1024));
        try
        {
            var count = 0;
            while (true)
            {
                if (count == buffer.Length)
                {
                    if (count > maxBytes) return new JsonBodyResult(null, null, TooLarge: true);
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(maxBytes + 1, buffer.Length * 2));
                    buffer.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                int read;
                try
                {
                    read = await request.Body.ReadAsync(buffer.AsMemory(count, buffer.Length - count), ct);
                }
                catch (Microsoft.AspNetCore.Http.BadHttpRequestException)
                {
                    // The server's own request limit, or a malformed chunked framing.
                    return new JsonBodyResult(null, null, TooLarge: true);
                }
                if (read == 0) break;
                count += read;
                if (count > maxBytes) return new JsonBodyResult(null, null, TooLarge: true);
            }
            var bytes = buffer.AsMemory(0, count);
            if (!Utf8.IsValid(bytes.Span)) return new JsonBodyResult(null, "The body is not valid UTF-8.", false);
            try
            {
                return new JsonBodyResult(JsonDocument.Parse(bytes.ToArray(), Strict), null, false);
            }
            catch (JsonException)
            {
                return new JsonBodyResult(null, "The body is not valid JSON, or an object in it names a member twice.", false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
