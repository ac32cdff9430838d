namespace IoTOwnerBot.Emulator.Hosting;

/// <summary>Result of a state operation: a value and a status, or an error code and message for the envelope.</summary>
internal readonly record struct Outcome<T>(T? Value, int Status, string? Code = null, string? Message = null)
{
    public bool Succeeded => Code is null;

    public static Outcome<T> Ok(T value, int status = StatusCodes.Status200OK) => new(value, status);

    public static Outcome<T> Fail(int status, string code, string message) => new(default, status, code, message);

    public ErrorEnvelope Error => ErrorEnvelope.Of(Code ?? "Unknown", Message ?? "");
}
