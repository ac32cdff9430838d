using IoTOwnerBot.Incidents;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Sentinel;

namespace IoTOwnerBot.Tests.Incidents;

/// <summary>The decision policy: what an owner's answer changes on the incident, case by case.</summary>
public sealed class DecisionPolicyTests
{
    private const string ExpectedLabel = "IoT owner: expected";
    private const string NotExpectedLabel = "IoT owner: not expected";

    public static TheoryData<string?, string?, string?, string?> NotExpectedCases => new()
    {
        // status, severity before → status, severity after
        { "New", "Informational", "Active", "Low" },
        { "New", "Low", "Active", "Medium" },
        { "New", "Medium", "Active", "High" },
        { "New", "High", "Active", "High" },
        { "Active", "medium", "Active", "High" },
        { "active", "Low", "active", "Medium" },
        { "new", "Unknown", "Active", "Unknown" },
        { "New", null, "Active", null },
    };

    [Theory]
    [MemberData(nameof(NotExpectedCases))]
    public void NotExpected_KeepsTheIncidentOpen_ActivatesNew_AndRaisesSeverityOneLevel(string? status, string? severity, string? newStatus, string? newSeverity)
    {
        var change = IncidentUpdateWorkHandler.Apply(Incident(status, severity), OwnerAnswer.NotExpected, new DecisionOptions(), out var outcome);

        Assert.NotNull(change);
        Assert.Equal(newStatus, change.Status);
        Assert.Equal(newSeverity, change.Severity);
        Assert.Null(change.Classification);
        Assert.Equal([NotExpectedLabel], change.Labels!.Select(l => l.LabelName));
        Assert.StartsWith($"the incident stays open ({newStatus}), severity ", outcome, StringComparison.Ordinal);
        Assert.Contains(severity == newSeverity ? $"stays {severity}" : $"raised from {severity} to {newSeverity}", outcome, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, true, "New", "High")]
    [InlineData(true, false, "Active", "Medium")]
    [InlineData(false, false, "New", "Medium")]
    public void NotExpected_ObeysActivateAndRaiseSeverity(bool activate, bool raise, string status, string severity)
    {
        var policy = new DecisionOptions { NotExpected = { Activate = activate, RaiseSeverity = raise } };

        var change = IncidentUpdateWorkHandler.Apply(Incident("New", "Medium"), OwnerAnswer.NotExpected, policy, out _);

        Assert.Equal(status, change!.Status);
        Assert.Equal(severity, change.Severity);
    }

    [Theory]
    [InlineData("New")]
    [InlineData("Active")]
    public void Expected_ClosesAsBenignPositive_WithTheClassificationCommentAndLabel(string status)
    {
        var change = IncidentUpdateWorkHandler.Apply(Incident(status, "Medium", "other"), OwnerAnswer.Expected, new DecisionOptions(), out var outcome);

        Assert.NotNull(change);
        Assert.Equal("Closed", change.Status);
        Assert.Equal("BenignPositive", change.Classification);
        Assert.Equal("SuspiciousButExpected", change.ClassificationReason);
        Assert.Equal(new ExpectedPolicy().ClassificationComment, change.ClassificationComment);
        Assert.Equal("Medium", change.Severity);
        Assert.Equal(["other", ExpectedLabel], change.Labels!.Select(l => l.LabelName));
        Assert.Equal("the incident was closed as BenignPositive/SuspiciousButExpected", outcome);
    }

    [Fact]
    public void Expected_WithoutClosing_OnlyLabels()
    {
        var policy = new DecisionOptions { Expected = { Close = false } };

        var change = IncidentUpdateWorkHandler.Apply(Incident("Active", "Low"), OwnerAnswer.Expected, policy, out var outcome);

        Assert.Equal("Active", change!.Status);
        Assert.Null(change.Classification);
        Assert.Contains(ExpectedLabel, change.Labels!.Select(l => l.LabelName));
        Assert.Equal("the incident was labelled; its status was left as it was", outcome);
    }

    [Theory]
    [InlineData(OwnerAnswer.Expected, "Closed", null, "an analyst had already closed")]
    [InlineData(OwnerAnswer.NotExpected, "closed", null, "an analyst had already closed")]
    [InlineData(OwnerAnswer.Expected, "Closed", "iot owner: EXPECTED", "already reflects this answer")]
    [InlineData(OwnerAnswer.Expected, "New", ExpectedLabel, "already reflects this answer")]
    [InlineData(OwnerAnswer.NotExpected, "Active", NotExpectedLabel, "already reflects this answer")]
    public void NothingToWrite_WhenClosedByAnAnalyst_OrAlreadyApplied(OwnerAnswer answer, string status, string? label, string why)
    {
        var incident = label is null ? Incident(status, "Medium") : Incident(status, "Medium", label);

        var change = IncidentUpdateWorkHandler.Apply(incident, answer, new DecisionOptions(), out var outcome);

        Assert.Null(change);
        Assert.Contains(why, outcome, StringComparison.Ordinal);
    }

    [Fact]
    public void TheOtherAnswersLabel_DoesNotCountAsApplied()
    {
        var incident = Incident("Active", "Medium", NotExpectedLabel);

        var change = IncidentUpdateWorkHandler.Apply(incident, OwnerAnswer.Expected, new DecisionOptions(), out _);

        Assert.Equal("Closed", change!.Status);
        Assert.Equal([NotExpectedLabel, ExpectedLabel], change.Labels!.Select(l => l.LabelName));
    }

    private static IncidentProperties Incident(string? status, string? severity, params string[] labels) => new()
    {
        Title = "PLC programming from an engineering workstation",
        Status = status,
        Severity = severity,
        Labels = labels.Length == 0 ? null : labels.Select(l => new IncidentLabel { LabelName = l }).ToList(),
    };
}
