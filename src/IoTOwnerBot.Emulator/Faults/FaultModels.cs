namespace IoTOwnerBot.Emulator.Faults;

/// <summary>
/// A fault to inject: the first <see cref="Times"/> requests whose method and path match get <see cref="Status"/>
/// (with <c>Retry-After</c> when set), after <see cref="DelayMs"/>. A rule without a status only slows requests down.
/// </summary>
// Properties with defaults use set, not init: source-generated deserialization assigns every init property,
// which would replace the defaults with null/0 when a field is absent from the JSON.
public sealed record FaultSpec
{
    public string? Method { get; init; }
    public string? PathContains { get; init; }
    public int? Status { get; init; }
    public int? RetryAfterSeconds { get; init; }
    public int DelayMs { get; init; }
    public int Times { get; set; } = 1;

    internal string? Validate() =>
        Status is not null and (< 400 or > 599) ? "status must be a 4xx or 5xx code."
        : Status is null && DelayMs <= 0 ? "A fault needs a status or a positive delayMs."
        : Times < 1 ? "times must be at least 1."
        : DelayMs < 0 ? "delayMs must not be negative."
        : null;

    internal bool Matches(HttpRequest request) =>
        (Method is null || string.Equals(Method, request.Method, StringComparison.OrdinalIgnoreCase))
        && (PathContains is null
            || (request.Path.Value + request.QueryString.Value).Contains(PathContains, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A fault rule as stored: how many times it still fires and how often it fired.</summary>
public sealed record FaultRule(string Id, FaultSpec Spec, int Remaining, int Hits);
