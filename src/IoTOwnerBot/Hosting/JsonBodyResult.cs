using System.Text.Json;

namespace IoTOwnerBot.Hosting;

/// <summary>A request body read with <see cref="JsonBody.ReadAsync"/>: the document, or why it was refused.</summary>
public sealed record JsonBodyResult(JsonDocument? Document, string? Error, bool TooLarge) : IDisposable
{
    public void Dispose() => Document?.Dispose();
}
