using System.Buffers;
using System.Text;

using IoTOwnerBot.Emulator.Hosting;

namespace IoTOwnerBot.Emulator.Journal;

/// <summary>Records every non-admin request with its final status, for assertions in tests.</summary>
public sealed class JournalMiddleware(RequestDelegate next, RequestJournal journal)
{
    private const int MaxRecordedBody = 256 * 1024;

    /// <summary>Set by the fault middleware so the journal can say which rule answered.</summary>
    internal const string FaultItemKey = "emulator.fault";

    public async Task InvokeAsync(HttpContext context)
    {
        var area = Areas.Of(context.Request.Path);
        if (area == EmulatorArea.Admin)
        {
            await next(context);
            return;
        }

        // The token endpoint's form carries client secrets: never keep it.
        var body = area == EmulatorArea.Entra ? null : await ReadBodyAsync(context.Request);
        try
        {
            await next(context);
        }
        finally
        {
            journal.Record(
                context.Request.Method,
                context.Request.Path.Value + context.Request.QueryString.Value,
                context.Response.StatusCode,
                body,
                context.Items.TryGetValue(FaultItemKey, out var fault) ? fault as string : null);
        }
    }

    private static async Task<string?> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            return null;
        }
        request.EnableBuffering();
        using var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        // A pooled buffer no larger than the body (a UTF-8 body never has more characters than bytes): a fresh 512 KB
        // array per request went to the large object heap and cost the process a full collection every few requests.
        var size = request.ContentLength is { } length ? (int)Math.Min(length, MaxRecordedBody) : MaxRecordedBody;
        var buffer = ArrayPool<char>.Shared.Rent(size);
        try
        {
            var read = await reader.ReadBlockAsync(buffer.AsMemory(0, size), request.HttpContext.RequestAborted);
            request.Body.Position = 0;
            return read == 0 ? null : new string(buffer, 0, read);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }
}
