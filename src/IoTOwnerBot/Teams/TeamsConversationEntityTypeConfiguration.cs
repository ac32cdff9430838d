using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IoTOwnerBot.Teams;

internal sealed class TeamsConversationEntityTypeConfiguration : IEntityTypeConfiguration<TeamsConversation>
{
    public void Configure(EntityTypeBuilder<TeamsConversation> builder)
    {
        builder.ToTable("teams_conversations");
        builder.HasIndex(x => new { x.TenantId, x.UserObjectId }).IsUnique();
        builder.Property(x => x.TenantId).HasMaxLength(64);
        builder.Property(x => x.UserObjectId).HasMaxLength(64);
    }
}
