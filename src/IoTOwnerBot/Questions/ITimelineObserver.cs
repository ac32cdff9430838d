namespace IoTOwnerBot.Questions;

/// <summary>
/// Something that shows every timeline event elsewhere (the SOC channel thread): told of each event as it is
/// recorded, it adds its durable work to the same unit of work.
/// </summary>
public interface ITimelineObserver
{
    void Recorded(Question question, TimelineEvent ev);
}
