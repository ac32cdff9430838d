using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Questions;

/// <summary>What each answer does to the incident (DESIGN.md defaults), and who may answer for whom.</summary>
public sealed class DecisionOptions
{
    public const string SectionName = "Decision";

    public ExpectedPolicy Expected { get; set; } = new();
    public NotExpectedPolicy NotExpected { get; set; } = new();

    /// <summary>Label added when nobody answered before the deadline.</summary>
    [Required] public string NoResponseLabel { get; set; } = "IoT owner: no response";

    /// <summary>People who may answer in place of an owner: owner address or object id → delegates.</summary>
    public List<DelegateEntry> Delegates { get; set; } = [];
}

public sealed class ExpectedPolicy
{
    /// <summary>Close the incident on "expected" (the default); false leaves the status alone.</summary>
    public bool Close { get; set; } = true;
    [Required] public string Classification { get; set; } = "BenignPositive";
    public string? ClassificationReason { get; set; } = "SuspiciousButExpected";
    [Required] public string ClassificationComment { get; set; } = "The device owner confirmed that the activity was expected.";
    [Required] public string Label { get; set; } = "IoT owner: expected";
}

public sealed class NotExpectedPolicy
{
    /// <summary>Raise severity one level (Informational → Low → Medium → High).</summary>
    public bool RaiseSeverity { get; set; } = true;
    /// <summary>A New incident becomes Active.</summary>
    public bool Activate { get; set; } = true;
    [Required] public string Label { get; set; } = "IoT owner: not expected";
}

public sealed class DelegateEntry
{
    /// <summary>The owner's address or object id.</summary>
    public string Owner { get; set; } = "";
    /// <summary>Address or object id of someone who may answer for them.</summary>
    public List<string> Delegates { get; set; } = [];
}

internal sealed class DecisionOptionsValidator : IValidateOptions<DecisionOptions>
{
    private static readonly string[] Classifications = ["TruePositive", "BenignPositive", "FalsePositive", "Undetermined"];
    private static readonly string[] Reasons = ["SuspiciousActivity", "SuspiciousButExpected", "IncorrectAlertLogic", "InaccurateData"];

    public ValidateOptionsResult Validate(string? name, DecisionOptions options)
    {
        var failures = new List<string>();
        var e = options.Expected;
        if (!Classifications.Contains(e.Classification))
            failures.Add($"Decision:Expected:Classification must be one of {string.Join(", ", Classifications)}.");
        if (e.ClassificationReason is not null && !Reasons.Contains(e.ClassificationReason))
            failures.Add($"Decision:Expected:ClassificationReason must be one of {string.Join(", ", Reasons)}.");
        if (e.Classification != "Undetermined" && e.ClassificationReason is null)
            failures.Add($"Decision:Expected:ClassificationReason is required with classification {e.Classification} (Sentinel refuses it otherwise).");
        for (var i = 0; i < options.Delegates.Count; i++)
            if (string.IsNullOrWhiteSpace(options.Delegates[i].Owner) || options.Delegates[i].Delegates.Count == 0)
                failures.Add($"Decision:Delegates:{i} needs an Owner and at least one delegate.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
