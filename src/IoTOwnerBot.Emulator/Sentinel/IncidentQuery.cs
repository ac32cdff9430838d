using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace IoTOwnerBot.Emulator.Sentinel;

/// <summary>The OData options the incidents list honours: <c>$orderby</c>, simple <c>$filter</c>, <c>$top</c>, <c>$skipToken</c>.</summary>
internal static partial class IncidentQuery
{
    public const int MaxTop = 1000;

    public static string? TryOrder(IEnumerable<Incident> incidents, string? orderBy, out IEnumerable<Incident> ordered)
    {
        ordered = incidents.OrderBy(i => i.Properties.CreatedTimeUtc).ThenBy(i => i.Properties.IncidentNumber);
        if (string.IsNullOrWhiteSpace(orderBy))
        {
            return null;
        }
        var parts = orderBy.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var descending = parts.Length == 2 && parts[1].Equals("desc", StringComparison.OrdinalIgnoreCase);
        if (parts.Length > 2 || (parts.Length == 2 && !descending && !parts[1].Equals("asc", StringComparison.OrdinalIgnoreCase)))
        {
            return $"Invalid $orderby '{orderBy}'.";
        }
        Func<Incident, IComparable?>? key = parts[0].ToUpperInvariant() switch
        {
            "PROPERTIES/CREATEDTIMEUTC" => i => i.Properties.CreatedTimeUtc,
            "PROPERTIES/LASTMODIFIEDTIMEUTC" => i => i.Properties.LastModifiedTimeUtc,
            "PROPERTIES/INCIDENTNUMBER" => i => i.Properties.IncidentNumber,
            "PROPERTIES/TITLE" => i => i.Properties.Title,
            _ => null,
        };
        if (key is null)
        {
            return $"Invalid $orderby '{orderBy}': ordering is supported on properties/createdTimeUtc, properties/lastModifiedTimeUtc, properties/incidentNumber and properties/title.";
        }
        ordered = descending
            ? incidents.OrderByDescending(key).ThenByDescending(i => i.Properties.IncidentNumber)
            : incidents.OrderBy(key).ThenBy(i => i.Properties.IncidentNumber);
        return null;
    }

    /// <summary>Supports <c>properties/x op literal</c> clauses joined by <c>and</c>; ops eq ne gt ge lt le.</summary>
    public static string? TryFilter(IEnumerable<Incident> incidents, string? filter, out IEnumerable<Incident> filtered)
    {
        filtered = incidents;
        if (string.IsNullOrWhiteSpace(filter))
        {
            return null;
        }
        foreach (var clause in AndSplitter().Split(filter.Trim()))
        {
            var match = Clause().Match(clause.Trim());
            if (!match.Success)
            {
                return $"Invalid $filter clause '{clause}'.";
            }
            var field = match.Groups["field"].Value;
            var op = match.Groups["op"].Value.ToUpperInvariant();
            var literal = match.Groups["literal"].Value;
            Func<Incident, object?>? value = field.ToUpperInvariant() switch
            {
                "STATUS" => i => i.Properties.Status,
                "SEVERITY" => i => i.Properties.Severity,
                "CLASSIFICATION" => i => i.Properties.Classification,
                "TITLE" => i => i.Properties.Title,
                "PROVIDERNAME" => i => i.Properties.ProviderName,
                "INCIDENTNUMBER" => i => i.Properties.IncidentNumber,
                "CREATEDTIMEUTC" => i => i.Properties.CreatedTimeUtc,
                "LASTMODIFIEDTIMEUTC" => i => i.Properties.LastModifiedTimeUtc,
                _ => null,
            };
            if (value is null)
            {
                return $"Invalid $filter: unsupported property 'properties/{field}'.";
            }
            if (!TryLiteral(literal, out var expected))
            {
                return $"Invalid $filter literal '{literal}'.";
            }
            filtered = filtered.Where(i => Compare(value(i), expected, op)).ToList();
        }
        return null;
    }

    public static int DecodeSkipToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return text.StartsWith("offset:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : -1;
        }
        catch (FormatException)
        {
            return -1;
        }
    }

    public static string EncodeSkipToken(int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(FormattableString.Invariant($"offset:{offset}")));

    private static bool TryLiteral(string literal, out object? value)
    {
        value = null;
        if (literal.StartsWith('\'') && literal.EndsWith('\'') && literal.Length >= 2)
        {
            value = literal[1..^1].Replace("''", "'", StringComparison.Ordinal);
            return true;
        }
        if (literal.StartsWith("datetime'", StringComparison.OrdinalIgnoreCase) && literal.EndsWith('\''))
        {
            literal = literal[9..^1];
        }
        if (literal == "null")
        {
            return true;
        }
        if (int.TryParse(literal, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            value = number;
            return true;
        }
        if (DateTimeOffset.TryParse(literal, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            value = time.UtcDateTime;
            return true;
        }
        return false;
    }

    private static bool Compare(object? actual, object? expected, string op)
    {
        int order;
        if (actual is DateTime && expected is string s
            && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            expected = parsed.UtcDateTime;
        }
        order = (actual, expected) switch
        {
            (null, null) => 0,
            (null, _) => -1,
            (_, null) => 1,
            (string x, string y) => string.Compare(x, y, StringComparison.OrdinalIgnoreCase),
            (int x, int y) => x.CompareTo(y),
            (DateTime x, DateTime y) => x.CompareTo(y),
            _ => int.MinValue,
        };
        return order != int.MinValue && op switch
        {
            "EQ" => order == 0,
            "NE" => order != 0,
            "GT" => order > 0,
            "GE" => order >= 0,
            "LT" => order < 0,
            "LE" => order <= 0,
            _ => false,
        };
    }

    [GeneratedRegex(@"\s+and\s+", RegexOptions.IgnoreCase)]
    private static partial Regex AndSplitter();

    [GeneratedRegex(@"^\(?\s*properties/(?<field>\w+)\s+(?<op>eq|ne|gt|ge|lt|le)\s+(?<literal>'(?:[^']|'')*'|\S+?)\s*\)?$", RegexOptions.IgnoreCase)]
    private static partial Regex Clause();
}
