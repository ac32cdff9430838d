using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IoTOwnerBot.Questions;

internal sealed class QuestionDeviceEntityTypeConfiguration : IEntityTypeConfiguration<QuestionDevice>
{
    public void Configure(EntityTypeBuilder<QuestionDevice> builder)
    {
        builder.ToTable("question_devices");
    }
}
