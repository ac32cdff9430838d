namespace IoTOwnerBot.Emulator.Hosting;

/// <summary>
/// Turns unreadable requests and unexpected failures into the error body of the service that was called,
/// instead of ASP.NET Core's empty 400 or HTML 500.
/// </summary>
public sealed partial class ErrorEnvelopeMiddleware(RequestDelegate next, ILogger<ErrorEnvelopeMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var (code, prefix) = Areas.Of(context.Request.Path) switch
            {
                EmulatorArea.Arm => ("InvalidRequestContent", "The request content was invalid and could not be deserialized: "),
                EmulatorArea.Graph => ("BadRequest", "Unable to read JSON request payload. "),
                EmulatorArea.LogAnalytics => ("BadArgumentError", "The request had some invalid properties. "),
                EmulatorArea.Entra => ("invalid_request", "AADSTS900144: "),
                _ => ("BadRequest", ""),
            };
            await Areas.WriteErrorAsync(context, StatusCodes.Status400BadRequest, code, prefix + (e.InnerException?.Message ?? e.Message));
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            LogUnhandled(logger, e, context.Request.Method, context.Request.Path);
            await Areas.WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "InternalServerError", "The emulator failed: " + e.Message);
        }
    }

    /// <summary>Unknown paths answer in the dialect of the service the caller aimed at.</summary>
    internal static Task NotFound(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var (code, message) = Areas.Of(context.Request.Path) switch
        {
            EmulatorArea.Arm => ("NotFound", $"No HTTP resource was found that matches the request URI '{path}'."),
            EmulatorArea.Graph => ("UnknownError", $"Resource not found for the segment '{path.Split('/').LastOrDefault()}'."),
            EmulatorArea.LogAnalytics => ("PathNotFoundError", $"The requested path does not exist: '{path}'."),
            EmulatorArea.Entra => ("invalid_request", $"AADSTS900561: The endpoint '{path}' does not exist."),
            _ => ("NotFound", $"The emulator has nothing at '{path}'. See /admin for what it serves."),
        };
        return Areas.WriteErrorAsync(context, StatusCodes.Status404NotFound, code, message);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Emulator failed on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
