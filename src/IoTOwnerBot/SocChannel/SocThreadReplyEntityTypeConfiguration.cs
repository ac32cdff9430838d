using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IoTOwnerBot.SocChannel;

internal sealed class SocThreadReplyEntityTypeConfiguration : IEntityTypeConfiguration<SocThreadReply>
{
    public void Configure(EntityTypeBuilder<SocThreadReply> builder)
    {
        builder.ToTable("soc_thread_replies");
        builder.HasKey(x => x.Id);
        builder.HasIndex(x => x.IncidentKey);
        builder.Property(x => x.IncidentKey).HasMaxLength(512);
        builder.Property(x => x.Outcome).HasMaxLength(16);
    }
}
