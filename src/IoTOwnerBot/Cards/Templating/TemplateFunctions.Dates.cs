using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static IoTOwnerBot.Cards.Templating.Evaluator;

namespace IoTOwnerBot.Cards.Templating;

/// <summary>
/// Date and time functions. Timestamps are read as JavaScript's Date reads them (a time without an offset is UTC)
/// and written in UTC with a .NET-style format string, converted and applied exactly as adaptive-expressions does
/// (its C#-to-Day.js converter, then Day.js tokens). Month and day names are English, as in the Designer.
/// </summary>
internal static partial class TemplateFunctions
{
    private const string DefaultDateFormat = "YYYY-MM-DDTHH:mm:ss.SSS[Z]";
    private const long EpochTicks = 621355968000000000;

    private static readonly string[] MonthNames = CultureInfo.InvariantCulture.DateTimeFormat.MonthNames;
    private static readonly string[] DayNames = CultureInfo.InvariantCulture.DateTimeFormat.DayNames;

    private static void AddDates(Dictionary<string, TemplateFunction> t)
    {
        t["formatDateTime"] = TemplateFunction.Eager(1, 3, (a, in _) =>
        {
            var stamp = IsString(a[0]) ? ParseTimestamp(Str(a[0])) ?? throw Error($"'{Str(a[0])}' is not a valid timestamp") : throw Error($"{Describe(a[0])} is not a timestamp text");
            return Text(FormatDate(stamp, DateFormat(a, 3)));
        });
        t["formatEpoch"] = TemplateFunction.Eager(1, 3, (a, in _) =>
            Text(FormatDate(FromUnixMs(Num(a[0], 0) * 1000), DateFormat(a, 3))));
        t["formatTicks"] = TemplateFunction.Eager(1, 3, (a, in _) =>
        {
            var ticks = IsNumber(a[0]) ? ToNumber(a[0]!) : IsString(a[0]) && double.TryParse(Str(a[0]), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : throw Error($"{Describe(a[0])} is not a number of ticks");
            return Text(FormatDate(FromUnixMs(Math.Truncate((ticks - EpochTicks) / 10000)), DateFormat(a, 3)));
        });
        t["utcNow"] = TemplateFunction.Eager(0, 2, (a, in s) => Text(FormatDate(s.Env.Time.GetUtcNow().UtcDateTime, DateFormat(a, 2))));
        t["addDays"] = Shift(TimeSpan.TicksPerDay);
        t["addHours"] = Shift(TimeSpan.TicksPerHour);
        t["addMinutes"] = Shift(TimeSpan.TicksPerMinute);
        t["addSeconds"] = Shift(TimeSpan.TicksPerSecond);
        t["addToTime"] = TemplateFunction.Eager(3, 5, (a, in _) => Text(FormatDate(AddUnit(Iso(a[0]), Int(a[1]), UnitText(a[2]), unknownIsMilliseconds: true), DateFormat(a, 5))));
        t["subtractFromTime"] = TemplateFunction.Eager(3, 5, (a, in _) => Text(FormatDate(AddUnit(Iso(a[0]), -Int(a[1]), UnitText(a[2])), DateFormat(a, 5))));
        t["getFutureTime"] = TemplateFunction.Eager(2, 4, (a, in s) => Text(FormatDate(AddUnit(s.Env.Time.GetUtcNow().UtcDateTime, Int(a[0]), UnitText(a[1])), DateFormat(a, 4))));
        t["getPastTime"] = TemplateFunction.Eager(2, 4, (a, in s) => Text(FormatDate(AddUnit(s.Env.Time.GetUtcNow().UtcDateTime, -Int(a[0]), UnitText(a[1])), DateFormat(a, 4))));
        t["startOfDay"] = TemplateFunction.Eager(1, 3, (a, in _) => Text(FormatDate(Iso(a[0]).Date, DateFormat(a, 3))));
        t["startOfHour"] = TemplateFunction.Eager(1, 3, (a, in _) =>
        {
            var d = Iso(a[0]);
            return Text(FormatDate(new DateTime(d.Year, d.Month, d.Day, d.Hour, 0, 0, DateTimeKind.Utc), DateFormat(a, 3)));
        });
        t["startOfMonth"] = TemplateFunction.Eager(1, 3, (a, in _) =>
        {
            var d = Iso(a[0]);
            return Text(FormatDate(new DateTime(d.Year, d.Month, 1, 0, 0, 0, DateTimeKind.Utc), DateFormat(a, 3)));
        });
        t["dayOfMonth"] = TemplateFunction.Eager(1, 1, (a, in _) => Number(Iso(a[0]).Day));
        t["dayOfWeek"] = TemplateFunction.Eager(1, 1, (a, in _) => Number((int)Iso(a[0]).DayOfWeek));
        t["dayOfYear"] = TemplateFunction.Eager(1, 1, (a, in _) => Number(Iso(a[0]).DayOfYear));
        t["month"] = TemplateFunction.Eager(1, 1, (a, in _) => Number(Iso(a[0]).Month));
        t["year"] = TemplateFunction.Eager(1, 1, (a, in _) => Number(Iso(a[0]).Year));
        t["date"] = TemplateFunction.Eager(1, 1, (a, in _) => Text(Iso(a[0]).ToString("M/d/yyyy", CultureInfo.InvariantCulture)));
        // A tick count exceeds a double's integers; adaptive-expressions returns it as a big integer, written as text.
        t["ticks"] = TemplateFunction.Eager(1, 1, (a, in _) => Text((EpochTicks + ((Iso(a[0]) - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond * 10000)).ToString(CultureInfo.InvariantCulture)));
        t["ticksToDays"] = Ticks(TimeSpan.TicksPerDay);
        t["ticksToHours"] = Ticks(TimeSpan.TicksPerHour);
        t["ticksToMinutes"] = Ticks(TimeSpan.TicksPerMinute);
        t["dateTimeDiff"] = TemplateFunction.Eager(2, 2, (a, in _) => Number((Iso(a[0]) - Iso(a[1])).Ticks / TimeSpan.TicksPerMillisecond * 10000d));
        t["getTimeOfDay"] = TemplateFunction.Eager(1, 1, (a, in _) =>
        {
            var d = IsString(a[0]) ? ParseTimestamp(Str(a[0])) ?? throw Error($"'{Str(a[0])}' is not a valid timestamp") : throw Error($"{Describe(a[0])} is not a timestamp text");
            var hhmm = (d.Hour * 100) + d.Minute;
            return Text(hhmm switch
            {
                0 => "midnight",
                < 1200 => "morning",
                1200 => "noon",
                < 1800 => "afternoon",
                <= 2200 => "evening",
                _ => "night",
            });
        });
        t["convertFromUTC"] = TemplateFunction.Eager(2, 4, (a, in _) =>
        {
            var zone = Zone(a[1]);
            var local = TimeZoneInfo.ConvertTimeFromUtc(Iso(a[0]), zone);
            return Text(FormatDate(local, a.Length > 2 ? DateFormat(a, 4) : "YYYY-MM-DDTHH:mm:ss.SSS0000", zone.GetUtcOffset(local)));
        });
        t["convertToUTC"] = TemplateFunction.Eager(2, 4, (a, in _) =>
        {
            var zone = Zone(a[1]);
            var local = IsString(a[0]) && DateTime.TryParse(Str(a[0]), CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
                ? DateTime.SpecifyKind(parsed, DateTimeKind.Unspecified)
                : throw Error($"{Describe(a[0])} is not a valid timestamp");
            return Text(FormatDate(TimeZoneInfo.ConvertTimeToUtc(local, zone), DateFormat(a, 4)));
        });
    }

    private static TemplateFunction Shift(long unit) => TemplateFunction.Eager(2, 4, (a, in _) =>
    {
        var d = Iso(a[0]);
        var n = IsNumber(a[1]) ? ToNumber(a[1]!) : throw Error("the interval must be a number");
        return Text(FormatDate(d.AddTicks(checked((long)Math.Truncate(n) * unit)), DateFormat(a, 4)));
    });

    private static TemplateFunction Ticks(long unit) => TemplateFunction.Eager(1, 1, (a, in _) => Number(Int(a[0]) / unit));

    private static string UnitText(JsonNode? v) => IsString(v) ? Str(v) : throw Error("the unit of time must be a text");

    // addToTime, as adaptive-expressions (Day.js), adds milliseconds for a unit it does not know.
    private static DateTime AddUnit(DateTime d, double n, string unit, bool unknownIsMilliseconds = false) => unit switch
    {
        _ when unknownIsMilliseconds && unit is not ("Second" or "Minute" or "Hour" or "Day" or "Week" or "Month" or "Year") => d.AddMilliseconds(n),
        "Second" => d.AddSeconds(n),
        "Minute" => d.AddMinutes(n),
        "Hour" => d.AddHours(n),
        "Day" => d.AddDays(n),
        "Week" => d.AddDays(n * 7),
        "Month" => d.AddMonths((int)n),
        "Year" => d.AddYears((int)n),
        _ => throw Error($"'{unit}' is not a unit of time (Second, Minute, Hour, Day, Week, Month, Year)"),
    };

    private static TimeZoneInfo Zone(JsonNode? v)
    {
        var name = IsString(v) ? Str(v) : throw Error("the time zone must be a text");
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw Error($"'{name}' is not a valid time zone");
        }
    }

    private static DateTime FromUnixMs(double ms)
    {
        if (!double.IsFinite(ms) || Math.Abs(ms) > 8.64e15)
        {
            throw Error("the time is out of range");
        }

        return DateTime.UnixEpoch.AddTicks((long)ms * TimeSpan.TicksPerMillisecond);
    }

    /// <summary>A timestamp in JavaScript's ISO form, exactly as Date.toISOString() writes it (what most date functions require).</summary>
    private static DateTime Iso(JsonNode? v)
    {
        var s = IsString(v) ? Str(v) : throw Error($"{Describe(v)} is not a timestamp text");
        return IsIsoTimestamp(s) ? ParseTimestamp(s)!.Value : throw Error($"'{s}' is not an ISO timestamp like 2026-03-14T08:42:10.000Z");
    }

    private static bool IsIsoTimestamp(string s) => IsoTimestamp().IsMatch(s) && ParseTimestamp(s) is not null;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex IsoTimestamp();

    /// <summary>A timestamp as JavaScript's Date reads it; without an offset it is taken as UTC. Result in UTC.</summary>
    private static DateTime? ParseTimestamp(string s)
    {
        if (s.Length == 0 || !char.IsAsciiDigit(s[0]) && !char.IsAsciiLetter(s[0]))
        {
            return null;
        }

        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var d)
            ? d.UtcDateTime
            : null;
    }

    /// <summary>The Day.js format of a call whose optional format (and locale) are its last arguments, as adaptive-expressions picks them.</summary>
    private static string DateFormat(JsonNode?[] a, int maxArgs)
    {
        if (a.Length == maxArgs && IsString(a[maxArgs - 1]) && IsString(a[maxArgs - 2]))
        {
            var format = Str(a[maxArgs - 2]);
            return format.Length == 0 ? DefaultDateFormat : ConvertFormat(format);
        }

        if (a.Length == maxArgs - 1 && IsString(a[maxArgs - 2]))
        {
            var format = Str(a[maxArgs - 2]);
            return format.Length == 0 ? DefaultDateFormat : ConvertFormat(format);
        }

        return DefaultDateFormat;
    }

    /// <summary>
    /// A .NET custom date format turned into Day.js tokens as adaptive-expressions does: runs of d, f, F, h, H, m, M,
    /// s, t, y, z become tokens; quoted or escaped text is passed through; a format it cannot convert is used as is.
    /// </summary>
    private static string ConvertFormat(string format)
    {
        if (format.Length == 1)
        {
            format = format switch
            {
                "o" or "O" => "yyyy-MM-ddTHH:mm:ss.fff0000zzz",
                _ => format,
            };
            if (format is "R" or "r" or "U" or "u")
            {
                return format;
            }
        }

        var result = new StringBuilder();
        var i = 0;
        while (i < format.Length)
        {
            var c = format[i];
            switch (c)
            {
                case '\\':
                    if (i + 1 >= format.Length)
                    {
                        return format;
                    }

                    result.Append(format[i + 1]);
                    i += 2;
                    continue;
                case '\'' or '`':
                    {
                        var end = format.IndexOf(c, i + 1);
                        if (end < 0)
                        {
                            return format;
                        }

                        result.Append(format, i + 1, end - i - 1);
                        i = end + 1;
                        continue;
                    }

                case '%':
                    i++;
                    continue;
                case 'K':
                    result.Append('Z');
                    i++;
                    continue;
            }

            var max = c switch
            {
                'd' or 'M' or 'y' => 4,
                'f' or 'F' or 'z' => 3,
                'h' or 'H' or 'm' or 's' or 't' => 2,
                'g' => 1,
                _ => 0,
            };
            if (max == 0)
            {
                result.Append(c);
                i++;
                continue;
            }

            var run = 1;
            while (i + run < format.Length && format[i + run] == c)
            {
                run++;
            }

            var count = Math.Min(run, max);
            var token = (c, count) switch
            {
                ('d', 1) => "D",
                ('d', 2) => "DD",
                ('d', 3) => "ddd",
                ('d', 4) => "dddd",
                ('f' or 'F', 3) => "SSS",
                ('h', 1) => "h",
                ('h', 2) => "hh",
                ('H', 1) => "H",
                ('H', 2) => "HH",
                ('m', 1) => "m",
                ('m', 2) => "mm",
                ('M', 1) => "M",
                ('M', 2) => "MM",
                ('M', 3) => "MMM",
                ('M', 4) => "MMMM",
                ('s', 1) => "s",
                ('s', 2) => "ss",
                ('t', _) => "A",
                ('y', 1 or 2) => "YY",
                ('y', _) => "YYYY",
                ('z', 1 or 2) => "ZZ",
                ('z', 3) => "Z",
                _ => null,
            };
            if (token is null)
            {
                return format;
            }

            result.Append(token);
            i += run;
        }

        return result.ToString();
    }

    /// <summary>Day.js format(): <c>[text]</c> is literal; YYYY YY M MM MMM MMMM D DD d dd ddd dddd H HH h hh a A m mm s ss SSS Z ZZ.</summary>
    private static string FormatDate(DateTime d, string format, TimeSpan? offset = null)
    {
        var zone = offset ?? TimeSpan.Zero;
        var zoneText = (zone < TimeSpan.Zero ? "-" : "+") + zone.ToString("hh\\:mm", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        var i = 0;
        while (i < format.Length)
        {
            var c = format[i];
            if (c == '[')
            {
                var close = format.IndexOf(']', i + 1);
                if (close > i + 1)
                {
                    sb.Append(format, i + 1, close - i - 1);
                    i = close + 1;
                    continue;
                }
            }

            var run = 1;
            while (i + run < format.Length && format[i + run] == c)
            {
                run++;
            }

            string? text;
            int used;
            switch (c)
            {
                case 'Y' when run >= 4:
                    (text, used) = (d.Year.ToString("D4", CultureInfo.InvariantCulture), 4);
                    break;
                case 'Y' when run >= 2:
                    (text, used) = ((d.Year % 100).ToString("D2", CultureInfo.InvariantCulture), 2);
                    break;
                case 'M':
                    used = Math.Min(run, 4);
                    text = used switch
                    {
                        1 => d.Month.ToString(CultureInfo.InvariantCulture),
                        2 => d.Month.ToString("D2", CultureInfo.InvariantCulture),
                        3 => MonthNames[d.Month - 1][..3],
                        _ => MonthNames[d.Month - 1],
                    };
                    break;
                case 'D':
                    used = Math.Min(run, 2);
                    text = used == 1 ? d.Day.ToString(CultureInfo.InvariantCulture) : d.Day.ToString("D2", CultureInfo.InvariantCulture);
                    break;
                case 'd':
                    used = Math.Min(run, 4);
                    var day = DayNames[(int)d.DayOfWeek];
                    text = used switch
                    {
                        1 => ((int)d.DayOfWeek).ToString(CultureInfo.InvariantCulture),
                        2 => day[..2],
                        3 => day[..3],
                        _ => day,
                    };
                    break;
                case 'H':
                    used = Math.Min(run, 2);
                    text = used == 1 ? d.Hour.ToString(CultureInfo.InvariantCulture) : d.Hour.ToString("D2", CultureInfo.InvariantCulture);
                    break;
                case 'h':
                    used = Math.Min(run, 2);
                    var h12 = d.Hour % 12 == 0 ? 12 : d.Hour % 12;
                    text = used == 1 ? h12.ToString(CultureInfo.InvariantCulture) : h12.ToString("D2", CultureInfo.InvariantCulture);
                    break;
                case 'a':
                    (text, used) = (d.Hour < 12 ? "am" : "pm", 1);
                    break;
                case 'A':
                    (text, used) = (d.Hour < 12 ? "AM" : "PM", 1);
                    break;
                case 'm':
                    used = Math.Min(run, 2);
                    text = used == 1 ? d.Minute.ToString(CultureInfo.InvariantCulture) : d.Minute.ToString("D2", CultureInfo.InvariantCulture);
                    break;
                case 's':
                    used = Math.Min(run, 2);
                    text = used == 1 ? d.Second.ToString(CultureInfo.InvariantCulture) : d.Second.ToString("D2", CultureInfo.InvariantCulture);
                    break;
                case 'S' when run >= 3:
                    (text, used) = (d.Millisecond.ToString("D3", CultureInfo.InvariantCulture), 3);
                    break;
                case 'Z':
                    used = Math.Min(run, 2);
                    text = used == 1 ? zoneText : zoneText.Replace(":", "", StringComparison.Ordinal);
                    break;
                default:
                    (text, used) = (c.ToString(), 1);
                    break;
            }

            sb.Append(text);
            i += used;
        }

        return sb.ToString();
    }
}
