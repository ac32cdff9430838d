using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IoTOwnerBot.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class SocThreads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "soc_thread_replies",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    IncidentKey = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    QuestionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AttemptedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ActivityId = table.Column<string>(type: "TEXT", nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_soc_thread_replies", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "soc_threads",
                columns: table => new
                {
                    IncidentKey = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    ServiceUrl = table.Column<string>(type: "TEXT", nullable: false),
                    ChannelId = table.Column<string>(type: "TEXT", nullable: false),
                    ConversationId = table.Column<string>(type: "TEXT", nullable: true),
                    RootActivityId = table.Column<string>(type: "TEXT", nullable: true),
                    CreatingSince = table.Column<long>(type: "INTEGER", nullable: true),
                    RootShows = table.Column<string>(type: "TEXT", maxLength: 80, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_soc_threads", x => x.IncidentKey);
                });

            migrationBuilder.CreateIndex(
                name: "IX_soc_thread_replies_IncidentKey",
                table: "soc_thread_replies",
                column: "IncidentKey");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "soc_thread_replies");

            migrationBuilder.DropTable(
                name: "soc_threads");
        }
    }
}
