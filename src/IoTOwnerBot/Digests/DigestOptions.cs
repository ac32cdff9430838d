using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Digests;

/// <summary>
/// Configuration section <c>Digest</c>: how an owner's questions are gathered into one digest during an incident storm.
/// </summary>
public sealed class DigestOptions
{
    public const string SectionName = "Digest";

    /// <summary>
    /// How long a new question waits before it is sent, so that an owner's other questions of the same burst go out
    /// with it in one digest. Counted from the owner's first waiting question, so a steady stream cannot postpone it.
    /// <c>00:00:00</c> turns digests off: every question is sent at once, on its own.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Digest:Window must be between 00:00:00 (off) and 01:00:00.")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>An owner gets a digest when at least this many of their questions are waiting; fewer go out one by one.</summary>
    [Range(2, MaxPerCard, ErrorMessage = "Digest:MinQuestions must be between 2 and 25.")]
    public int MinQuestions { get; set; } = 2;

    /// <summary>Questions per digest card; more waiting questions go out in further digests. The card stays under 28 KB up to 25.</summary>
    [Range(2, MaxPerCard, ErrorMessage = "Digest:MaxQuestions must be between 2 and 25 (a card must stay under 28 KB).")]
    public int MaxQuestions { get; set; } = MaxPerCard;

    /// <summary>
    /// With digests off (<see cref="Window"/> 00:00:00): when the sending budget puts an owner's e-mail further out
    /// than this, the owner's waiting questions go out together in one digest, in that e-mail's slot, instead of one
    /// e-mail each. <c>00:00:00</c>: never.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "Digest:AutomaticAfter must be between 00:00:00 (never) and 1.00:00:00.")]
    public TimeSpan AutomaticAfter { get; set; } = TimeSpan.FromMinutes(5);

    public bool Automatic => !Enabled && AutomaticAfter > TimeSpan.Zero;

    public const int MaxPerCard = 25;

    public bool Enabled => Window > TimeSpan.Zero;
}

internal sealed class DigestOptionsValidator : IValidateOptions<DigestOptions>
{
    public ValidateOptionsResult Validate(string? name, DigestOptions options) =>
        options.MinQuestions > options.MaxQuestions
            ? ValidateOptionsResult.Fail($"Digest:MinQuestions ({options.MinQuestions}) must not be greater than Digest:MaxQuestions ({options.MaxQuestions}).")
            : ValidateOptionsResult.Success;
}
