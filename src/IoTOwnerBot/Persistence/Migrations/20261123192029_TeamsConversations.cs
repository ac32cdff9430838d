using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IoTOwnerBot.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class TeamsConversations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "teams_conversations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    UserObjectId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TeamsUserId = table.Column<string>(type: "TEXT", nullable: true),
                    ServiceUrl = table.Column<string>(type: "TEXT", nullable: false),
                    ConversationId = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_teams_conversations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "teams_messages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    QuestionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RecipientObjectId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ServiceUrl = table.Column<string>(type: "TEXT", nullable: false),
                    ConversationId = table.Column<string>(type: "TEXT", nullable: false),
                    ActivityId = table.Column<string>(type: "TEXT", nullable: true),
                    CardToken = table.Column<string>(type: "TEXT", nullable: false),
                    ShowsState = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: true),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_teams_messages", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_teams_conversations_TenantId_UserObjectId",
                table: "teams_conversations",
                columns: new[] { "TenantId", "UserObjectId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_teams_messages_QuestionId_RecipientObjectId",
                table: "teams_messages",
                columns: new[] { "QuestionId", "RecipientObjectId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "teams_conversations");

            migrationBuilder.DropTable(
                name: "teams_messages");
        }
    }
}
