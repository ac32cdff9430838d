namespace IoTOwnerBot.Questions;

/// <summary>The channels an owner can answer in, as the question records them.</summary>
public static class AnswerChannels
{
    public const string Outlook = "Outlook";
    public const string Teams = "Teams";
}
