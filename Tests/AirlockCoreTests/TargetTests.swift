import AirlockCore
import Testing

/// Where each command acts, and where that knowledge came from.
@Suite("Targets and environments")
struct TargetTests {
    func targets(_ line: String, env: [String: String] = [:], files: [String: String] = [:]) -> [String] {
        World.analyse(line, env: env, files: files).commands.flatMap { $0.targets.map { "\($0.kind.rawValue):\($0.value)" } }
    }

    @Test("database clients", arguments: [
        ("psql -h prod-db.internal -U admin", "host:prod-db.internal"),
        ("psql --host=db1.acme.io", "host:db1.acme.io"),
        ("psql -hdb2.acme.io", "host:db2.acme.io"),
        ("psql postgres://u:p@db3.acme.io:5432/app", "host:db3.acme.io"),
        ("psql 'postgresql://u@db4.acme.io/app?sslmode=require'", "host:db4.acme.io"),
        ("psql -d 'host=db5.acme.io dbname=app user=u'", "host:db5.acme.io"),
        ("psql", "socket:default socket"),
        ("pg_dump -h db6.acme.io app", "host:db6.acme.io"),
        ("dropdb -h db7.acme.io app", "host:db7.acme.io"),
        ("mysql -h db8.acme.io -u root -psecret", "host:db8.acme.io"),
        ("mysql --host=db9.acme.io -e 'select 1'", "host:db9.acme.io"),
        ("redis-cli -h cache.acme.io GET k", "host:cache.acme.io"),
        ("redis-cli -u redis://:pw@cache2.acme.io:6379/0 GET k", "host:cache2.acme.io"),
        ("mongosh 'mongodb+srv://u:p@cluster0.acme.mongodb.net/app'", "host:cluster0.acme.mongodb.net"),
        ("mongosh --host mongo.acme.io", "host:mongo.acme.io"),
        ("curl https://api.acme.io/v1/users", "host:api.acme.io"),
        ("curl -X POST api2.acme.io/v1", "host:api2.acme.io"),
        ("wget https://files.acme.io/x.tgz", "host:files.acme.io"),
        ("http DELETE https://api3.acme.io/items/1", "host:api3.acme.io"),
        ("ssh deploy@bastion.acme.io", "host:bastion.acme.io"),
        ("ssh -p 22 -i key.pem ubuntu@10.0.0.5 uptime", "host:10.0.0.5"),
    ] as [(String, String)])
    func clients(_ line: String, _ expected: String) {
        #expect(targets(line).contains(expected), "\(line) → \(targets(line))")
    }

    @Test("environment variables and .env locate databases")
    func environment() {
        #expect(targets("psql -c 'select 1'", env: ["PGHOST": "pg.prod.acme.io"]) == ["host:pg.prod.acme.io"])
        #expect(targets("PGHOST=pg2.acme.io psql -c 'select 1'") == ["host:pg2.acme.io"])
        #expect(targets("env PGHOST=pg3.acme.io psql") == ["host:pg3.acme.io"])
        #expect(targets("export PGHOST=pg4.acme.io; psql") == ["host:pg4.acme.io"])
        #expect(targets("psql", env: ["DATABASE_URL": "postgres://u@pg5.acme.io/db"]) == ["host:pg5.acme.io"])
        #expect(targets("mysql -e 'select 1'", env: ["MYSQL_HOST": "my.acme.io"]) == ["host:my.acme.io"])
        let dotenv = ["/home/dev/app/.env": "# comment\nexport DATABASE_URL=\"postgres://u:p@pg6.prod.acme.io:5432/app\"\n"]
        #expect(targets("psql", files: dotenv) == ["host:pg6.prod.acme.io"])
        #expect(targets("npx prisma migrate reset --force", files: dotenv) == ["host:pg6.prod.acme.io"])
        #expect(World.decide("npx prisma migrate reset --force", files: dotenv).verdict == .deny)
        #expect(World.decide("DATABASE_URL=postgres://u@db.prod.acme.io/app npx prisma db push --accept-data-loss").verdict == .deny)
        #expect(World.decide("RAILS_ENV=production bin/rails db:drop").verdict == .deny)
        #expect(World.decide("RAILS_ENV=production rails db:migrate").verdict == .ask)
        #expect(World.decide("python manage.py flush --noinput", env: ["DJANGO_SETTINGS_MODULE": "app.settings.production"]).verdict == .deny)
    }

    @Test("kube context from the flag, else the kubeconfig's current context")
    func kube() {
        #expect(targets("kubectl --context prod-eu get pods") == ["kube_context:prod-eu"])
        let config = ["/home/dev/.kube/config": "apiVersion: v1\ncurrent-context: prod-us\ncontexts: []\n"]
        #expect(targets("kubectl delete pod api-0", files: config) == ["kube_context:prod-us"])
        #expect(World.decide("kubectl delete pod api-0", files: config).verdict == .deny)
        let custom = ["/etc/kube/alt": "current-context: \"staging-1\"\n"]
        #expect(targets("kubectl get pods", env: ["KUBECONFIG": "/etc/kube/alt"], files: custom) == ["kube_context:staging-1"])
        #expect(targets("kubectl get pods") == ["kube_context:unspecified context"])
    }

    @Test("terraform workspace, AWS profile, gcloud project, git remote")
    func cloud() {
        #expect(targets("terraform apply") == ["workspace:default"])
        #expect(targets("terraform apply", env: ["TF_WORKSPACE": "prod"]) == ["workspace:prod"])
        #expect(targets("terraform destroy", files: ["/home/dev/app/.terraform/environment": "production\n"]) == ["workspace:production"])
        #expect(targets("terraform -chdir=infra destroy", files: ["/home/dev/app/infra/.terraform/environment": "live"]) == ["workspace:live"])
        #expect(targets("aws s3 ls --profile prod-admin") == ["aws_profile:prod-admin"])
        #expect(targets("aws s3 ls", env: ["AWS_PROFILE": "stg"]) == ["aws_profile:stg"])
        #expect(targets("aws s3 ls") == ["aws_profile:default"])
        #expect(targets("gcloud compute instances list --project=acme-prod") == ["project:acme-prod"])
        #expect(targets("git push origin main").contains("git_remote:origin"))
        #expect(targets("git push origin main").contains("host:github.com"))
        #expect(World.decide("git push production main").verdict == .ask)
    }

    @Test("a command is judged in every environment it touches")
    func strictest() {
        // One command, two hosts: the production one decides.
        #expect(World.decide("psql 'postgres://u@db.local,db.prod.acme.io/app' -c 'DROP TABLE t'").verdict == .deny)
        // Several commands: the strictest decides.
        #expect(World.decide("psql -h localhost -c 'DROP TABLE t' && kubectl --context prod-eu delete ns x").verdict == .deny)
    }

    @Test("the explanation names where each environment came from")
    func reasons() throws {
        let decision = World.decide("psql -h prod-db.internal -c 'DROP TABLE t'")
        let command = try #require(decision.commands.first)
        #expect(command.command.environment == "production")
        #expect(command.command.environmentReason.contains("label 'prod'"))
        #expect(command.trace.contains { $0.ruleID == "no-destruction-in-production" && $0.matched })
        #expect(command.trace.contains { $0.ruleID == "staging-destruction-needs-approval" && !$0.matched && $0.detail.contains("environment is production") })
    }
}
