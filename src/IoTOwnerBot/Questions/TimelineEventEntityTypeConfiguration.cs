using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IoTOwnerBot.Questions;

internal sealed class TimelineEventEntityTypeConfiguration : IEntityTypeConfiguration<TimelineEvent>
{
    public void Configure(EntityTypeBuilder<TimelineEvent> builder)
    {
        builder.ToTable("timeline_events");
        builder.HasIndex(x => new { x.QuestionId, x.Id });
        builder.HasIndex(x => x.CommentId).IsUnique();
    }
}
