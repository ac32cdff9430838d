namespace IoTOwnerBot.Sentinel;

/// <summary>Sentinel's incident severities, lowest first: the one list every feature compares with.</summary>
public static class IncidentSeverities
{
    public static IReadOnlyList<string> Ladder { get; } = ["Informational", "Low", "Medium", "High"];

    /// <summary>Sentinel's spelling of <paramref name="severity"/> (case and surrounding spaces ignored); null for anything else.</summary>
    public static string? Find(string? severity) =>
        Ladder.FirstOrDefault(s => string.Equals(s, severity?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>One level up, at most High; a value that is not a severity is returned unchanged.</summary>
    public static string? RaiseOneLevel(string? severity)
    {
        var i = Ladder.ToList().FindIndex(s => string.Equals(s, severity?.Trim(), StringComparison.OrdinalIgnoreCase));
        return i < 0 ? severity : Ladder[Math.Min(i + 1, Ladder.Count - 1)];
    }
}
