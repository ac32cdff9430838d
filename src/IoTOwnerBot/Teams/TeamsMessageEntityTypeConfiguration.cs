using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IoTOwnerBot.Teams;

internal sealed class TeamsMessageEntityTypeConfiguration : IEntityTypeConfiguration<TeamsMessage>
{
    public void Configure(EntityTypeBuilder<TeamsMessage> builder)
    {
        builder.ToTable("teams_messages");
        builder.HasIndex(x => new { x.QuestionId, x.RecipientObjectId }).IsUnique();
        builder.Property(x => x.RecipientObjectId).HasMaxLength(64);
        builder.Property(x => x.ShowsState).HasMaxLength(16);
    }
}
