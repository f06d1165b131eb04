import AirlockCore
import Testing

/// What each tool family's operations do.
@Suite("Tool knowledge")
struct ToolTests {
    func effect(_ line: String, env: [String: String] = [:]) -> EffectClass? {
        World.analyse(line, env: env).commands.map(\.effect).max()
    }

    @Test("effects", arguments: [
        ("kubectl get pods -A", EffectClass.read), ("kubectl delete pod x", .destructive), ("kubectl apply -f x.yaml", .write),
        ("kubectl apply --prune -f x/", .destructive), ("kubectl drain node-1", .destructive), ("kubectl rollout status deploy/x", .read),
        ("helm list", .read), ("helm uninstall api", .destructive), ("helm upgrade api ./chart", .write),
        ("terraform plan", .read), ("terraform apply", .write), ("terraform apply -destroy", .destructive), ("terraform destroy", .destructive),
        ("terraform state rm aws_db_instance.main", .destructive), ("tofu destroy -auto-approve", .destructive),
        ("pulumi up", .write), ("pulumi destroy --yes", .destructive), ("pulumi preview", .read),
        ("aws s3 ls", .read), ("aws s3 rm s3://b/k", .destructive), ("aws s3 sync . s3://b --delete", .destructive), ("aws s3 cp x s3://b/x", .write),
        ("aws rds delete-db-instance --db-instance-identifier main", .destructive), ("aws ec2 describe-instances", .read),
        ("aws dynamodb scan --table-name t", .read), ("aws lambda update-function-code --function-name f", .write),
        ("gcloud compute instances list", .read), ("gcloud sql instances delete main", .destructive), ("gcloud run deploy api", .write),
        ("az group delete -n rg", .destructive), ("az vm list", .read),
        ("docker ps", .read), ("docker run -it ubuntu", .write), ("docker system prune -af --volumes", .destructive), ("docker compose down -v", .destructive),
        ("docker compose up -d", .write), ("railway volume delete vol_1", .destructive), ("railway status", .read), ("railway up", .write),
        ("fly volumes destroy vol_1", .destructive), ("fly deploy", .write), ("fly status", .read),
        ("heroku pg:reset DATABASE_URL -a app", .destructive), ("heroku logs -a app", .read), ("heroku apps:destroy app", .destructive),
        ("vercel rm my-app", .destructive), ("vercel ls", .read), ("gh repo delete acme/app --yes", .destructive), ("gh pr list", .read),
        ("gh api -X DELETE /repos/acme/app", .destructive), ("gh api /repos/acme/app", .read),
        ("npx prisma migrate reset --force", .destructive), ("npx prisma db push --force-reset", .destructive), ("npx prisma migrate deploy", .write),
        ("npx prisma generate", .read), ("npx drizzle-kit push", .destructive), ("npx drizzle-kit generate", .read),
        ("bundle exec rake db:drop", .destructive), ("rails db:schema:load", .destructive), ("rake db:reset", .destructive), ("rails db:migrate", .write),
        ("python manage.py flush", .destructive), ("python manage.py migrate payments zero", .destructive), ("python manage.py migrate", .write),
        ("alembic downgrade -1", .destructive), ("alembic upgrade head", .write), ("npx sequelize-cli db:drop", .destructive),
        ("npx knex migrate:rollback --all", .destructive), ("npx knex migrate:latest", .write), ("flyway clean", .destructive),
        ("dropdb app", .destructive), ("pg_restore --clean -d app dump.sql", .destructive), ("pg_restore -d app dump.sql", .write), ("pg_dump app", .read),
        ("curl https://x.io", .read), ("curl -d a=b https://x.io", .write), ("curl -X DELETE https://x.io/1", .destructive), ("curl -I https://x.io", .read),
        ("curl -X PUT -T f https://x.io/f", .write), ("wget --method=DELETE https://x.io/1", .destructive), ("http POST x.io/a b=c", .write),
        ("http x.io/a b=c", .write), ("http DELETE x.io/a", .destructive),
        ("redis-cli FLUSHDB", .destructive), ("redis-cli DEL k", .destructive), ("redis-cli SET k v", .write), ("redis-cli KEYS '*'", .read),
        ("redis-cli CONFIG SET dir /tmp", .opaque), ("redis-cli --scan", .read),
        ("mongosh --eval 'db.dropDatabase()'", .destructive), ("mongosh --eval 'db.users.deleteMany({})'", .destructive),
        ("mongosh --eval 'db.users.find().limit(1)'", .read), ("mongosh --eval 'db.users.insertOne({a:1})'", .write),
        ("psql -c 'SELECT 1'", .read), ("psql -c \"SELECT 'DROP TABLE x'\"", .read), ("psql -c 'DROP TABLE x'", .destructive),
        ("psql -c '-- DROP TABLE x\nSELECT 1'", .read), ("psql -c 'SELECT 1 /* DROP */'", .read), ("psql -c 'DELETE FROM users'", .destructive),
        ("psql -f migrations/001_drop.sql", .destructive), ("psql -f migrations/002_select.sql", .read), ("psql -f missing.sql", .opaque),
        ("psql <<< 'DROP TABLE x'", .destructive), ("echo 'DROP TABLE x' | psql", .destructive), ("psql -l", .read),
        ("psql -c '\\! rm -rf /'", .destructive), ("sqlite3 app.db 'DROP TABLE t'", .destructive), ("sqlite3 app.db '.tables'", .read),
        ("mysql -e 'DROP DATABASE app'", .destructive), ("clickhouse-client -q 'TRUNCATE TABLE t'", .destructive),
        ("cockroach sql --url postgres://x/y -e 'DROP TABLE t'", .destructive),
        ("curl -X POST https://api.x.io/graphql -d '{\"query\":\"mutation { volumeDelete(id: 1) }\"}'", .destructive),
        ("curl -X POST https://api.x.io/graphql -d '{\"query\":\"mutation { createUser(name: \\\"a\\\") { id } }\"}'", .write),
        ("curl https://api.x.io/graphql -d '{\"query\":\"query { deletedUsers { id } }\"}'", .write),
    ] as [(String, EffectClass)])
    func effects(_ line: String, _ expected: EffectClass) {
        #expect(effect(line) == expected, "\(line) → \(String(describing: effect(line)))")
    }

    @Test("package scripts are resolved from package.json, with their pre and post hooks")
    func packageScripts() {
        #expect(World.decide("npm run db:reset", env: ["DATABASE_URL": "postgres://u@db.prod.acme.io/app"]).verdict == .deny)
        #expect(World.decide("npm run deploy:prod").verdict == .ask)
        #expect(World.decide("yarn nuke").verdict == .deny)
        #expect(World.decide("pnpm run nuke").verdict == .deny)
        #expect(World.decide("bun run nuke").verdict == .deny)
        #expect(World.decide("npm run clean").verdict == .allow)
        #expect(World.decide("npm test").verdict == .allow)
        #expect(World.decide("npm run deploy").verdict == .deny, "postdeploy drops a production table")
        #expect(World.decide("npm run build -- --watch").verdict == .allow)
        #expect(World.decide("npm install").verdict == .allow)
        let noManifest = Checker(policy: DefaultPolicy.policy, files: InMemoryFiles()).check(.shell("npm run anything"), context: World.context()).decision
        #expect(noManifest.verdict == .ask)
    }

    @Test("SQL given to psql takes its most dangerous statement's effect", arguments: [
        ("select/**/1; DROP TABLE users", EffectClass.destructive),
        ("-- x\nDELETE FROM users", .destructive),
        ("SELECT $$; DROP TABLE users; $$", .read),
        ("SELECT E'\\'; DROP TABLE users; --'", .read),
        ("SELECT '\\'; DROP TABLE users; --'", .destructive),
        ("SELECT 1", .read),
        ("SELECT 'drop table'", .read),
        ("UPDATE users SET name = 'x' WHERE id = 1", .write),
        ("SELECT 1; /* unterminated", .destructive),
        ("ALTER TABLE users DROP COLUMN email", .destructive),
        ("DO $$BEGIN EXECUTE 'DR' || 'OP TABLE users'; END$$", .opaque),
    ] as [(String, EffectClass)])
    func sql(_ text: String, _ expected: EffectClass) {
        let quoted = "'" + text.replacing("'", with: "'\\''") + "'"
        let commands = World.analyse("psql -h db.internal -c \(quoted)").commands
        #expect(commands.map(\.effect).max() == expected, "\(text) → \(commands.map { "\($0.effect): \($0.effectReason)" })")
        #expect(commands.allSatisfy { $0.binary == "psql" })
    }
}
