namespace IoTOwnerBot.Emulator.Faults;

/// <summary>
/// A fault to inject: the first <see cref="Times"/> requests whose method and path match get <see cref="Status"/>
/// (with <c>Retry-After</c> when set), after <see cref="DelayMs"/>. A rule without a status only slows requests down.
/// With <see cref="ActFirst"/> the endpoint carries the request out first and only its answer is lost: after the delay
/// the caller gets <see cref="Status"/>, a dropped connection (<see cref="Drop"/>), or the real answer late — the
/// "sent, but the caller cannot know" case of a gateway that times out after the service acted.
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
    /// <summary>The endpoint acts on the request before the fault answers (or drops) in its place.</summary>
    public bool ActFirst { get; init; }
    /// <summary>The connection is dropped instead of answered: the caller sees a reset, never a status.</summary>
    public bool Drop { get; init; }
    /// <summary>
    /// Chance (0 to 1) that a matching request gets the fault; a request it spares is not counted against
    /// <see cref="Times"/> and is looked at by the next rule. Null: every matching request.
    /// </summary>
    public double? Probability { get; init; }

    internal string? Validate() =>
        Status is not null and (< 400 or > 599) ? "status must be a 4xx or 5xx code."
        : Status is not null && Drop ? "A fault either answers with a status or drops the connection, not both."
        : Status is null && !Drop && DelayMs <= 0 ? "A fault needs a status, drop or a positive delayMs."
        : Times < 1 ? "times must be at least 1."
        : DelayMs < 0 ? "delayMs must not be negative."
        : Probability is < 0 or > 1 or double.NaN ? "probability must be between 0 and 1."
        : null;

    internal bool Matches(HttpRequest request) =>
        (Method is null || string.Equals(Method, request.Method, StringComparison.OrdinalIgnoreCase))
        && (PathContains is null
            || (request.Path.Value + request.QueryString.Value).Contains(PathContains, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A fault rule as stored: how many times it still fires and how often it fired.</summary>
public sealed record FaultRule(string Id, FaultSpec Spec, int Remaining, int Hits);
