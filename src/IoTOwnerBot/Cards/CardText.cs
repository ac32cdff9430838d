using System.Buffers;
using System.Text;

namespace IoTOwnerBot.Cards;

/// <summary>
/// Makes untrusted text (incident titles, device names, people's names) safe to show in a card as plain text.
/// TextBlock and Fact values are Markdown in Outlook and Teams: emphasis, links and list markers are escaped with
/// CommonMark backslash escapes, and the Adaptive Cards <c>{{DATE(…)}}</c> / <c>{{TIME(…)}}</c> functions are
/// disarmed. HTML needs nothing: cards show it as literal text. Template syntax needs nothing either: the
/// engine inserts data as values and never parses them.
/// </summary>
public static class CardText
{
    private const char ZeroWidthSpace = '\u200B';

    /// <summary>Escapes <paramref name="text"/>; cuts it to <paramref name="maxLength"/> characters first (with "…").</summary>
    public static string Plain(string? text, int maxLength = 500, bool singleLine = false)
    {
        if (string.IsNullOrEmpty(text) || maxLength <= 0)
        {
            return string.Empty;
        }

        var cleaned = Clean(text, singleLine);
        if (cleaned.Length > maxLength)
        {
            var cut = maxLength - 1;
            if (cut > 0 && char.IsHighSurrogate(cleaned[cut - 1]))
            {
                cut--;
            }

            cleaned = string.Concat(cleaned.AsSpan(0, cut), "…");
        }

        return EscapeMarkdown(cleaned);
    }

    private static string Clean(string text, bool singleLine)
    {
        if (!text.AsSpan().ContainsAnyInRange('\0', '\u001f') && !text.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
        {
            return text.Trim();
        }

        var sb = new StringBuilder(text.Length);
        foreach (var c in text.Replace("\r\n", "\n", StringComparison.Ordinal))
        {
            if (c is '\n' or '\r')
            {
                sb.Append(singleLine ? ' ' : '\n');
            }
            else if (c == '\t')
            {
                sb.Append(' ');
            }
            else if (!char.IsControl(c))
            {
                sb.Append(c);
            }
        }

        return sb.ToString().Trim();
    }

    private static string EscapeMarkdown(string text)
    {
        if (!NeedsEscape(text))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16);
        var lineStart = true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (lineStart)
            {
                // List markers and headings only count at the start of a line, followed by a space.
                var digits = 0;
                while (i + digits < text.Length && char.IsAsciiDigit(text[i + digits]))
                {
                    digits++;
                }

                if (digits > 0 && i + digits < text.Length && text[i + digits] is '.' or ')' && (i + digits + 1 == text.Length || text[i + digits + 1] == ' '))
                {
                    sb.Append(text, i, digits).Append('\\').Append(text[i + digits]);
                    i += digits;
                    lineStart = false;
                    continue;
                }

                if (c is '-' or '+' or '#' or '>' && (i + 1 == text.Length || text[i + 1] == ' '))
                {
                    sb.Append('\\').Append(c);
                    lineStart = false;
                    continue;
                }
            }

            lineStart = c == '\n';
            switch (c)
            {
                case '\\' or '*' or '_' or '[' or ']' or '`' or '~':
                    sb.Append('\\').Append(c);
                    break;
                case '{' when i + 1 < text.Length && text[i + 1] == '{':
                    sb.Append(c).Append(ZeroWidthSpace);
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>Whether <see cref="EscapeMarkdown"/> would change anything: a character it escapes, or a line start it looks at.</summary>
    private static bool NeedsEscape(string text) =>
        text.AsSpan().IndexOfAny(MarkdownSpecials) >= 0 || (text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] is '-' or '+' or '#' or '>'));

    private static readonly SearchValues<char> MarkdownSpecials = SearchValues.Create("\\*_[]`~{\n");
}
