/// Tool knowledge as data: for each CLI, which operations read, write or destroy, and where
/// its target comes from. Rules are tried in order; put the specific before the general.
enum ToolCatalog {
    static let databaseURLs = ["DATABASE_URL", "POSTGRES_URL", "POSTGRES_PRISMA_URL", "DB_URL", "MYSQL_URL", "MONGODB_URI"]
    /// Where an ORM or migration tool acts: its database URL, else the application environment.
    static let applicationTargets: [TargetSource] = [
        .all([
            .databaseURL(databaseURLs),
            .environment(["RAILS_ENV", "RACK_ENV", "APP_ENV", "NODE_ENV", "DJANGO_SETTINGS_MODULE", "FLASK_ENV", "MIX_ENV", "ENVIRONMENT"], .project),
        ]),
        .fixed(.project, "unspecified database"),
    ]

    /// Which spec classifies each program, by name only: a spec (some hold hundreds of rules)
    /// is built the first time one of its programs is met, so a hook process that sees one
    /// `kubectl` call builds one spec, not the catalogue.
    static let programs: [(names: [String], spec: @Sendable () -> ToolSpec)] = [
        (["kubectl", "oc", "kubecolor"], { kubectl }),
        (["helm"], { helm }),
        (["terraform", "tofu", "terragrunt"], { terraform }),
        (["pulumi"], { pulumi }),
        (["aws", "awslocal"], { aws }),
        (["gcloud"], { gcloud }),
        (["gsutil"], { gsutil }),
        (["az"], { az }),
        (["docker", "podman", "nerdctl"], { docker }),
        (["docker-compose", "podman-compose"], { dockerCompose }),
        (["railway"], { railway }),
        (["fly", "flyctl"], { fly }),
        (["heroku"], { heroku }),
        (["vercel", "vc"], { vercel }),
        (["netlify", "ntl"], { netlify }),
        (["gh"], { gh }),
        (["supabase"], { supabase }),
        (["wrangler"], { wrangler }),
        (["prisma"], { prisma }),
        (["drizzle-kit"], { drizzle }),
        (["rails", "rake"], { rails }),
        (["django-manage", "django-admin", "manage.py"], { django }),
        (["alembic"], { alembic }),
        (["sequelize", "sequelize-cli"], { sequelize }),
        (["knex"], { knex }),
        (["typeorm", "typeorm-ts-node-commonjs", "typeorm-ts-node-esm"], { typeorm }),
        (["flyway"], { flyway }),
        (["liquibase"], { liquibase }),
        (["migrate"], { migrate }),
        (["dbmate"], { dbmate }),
        (["goose"], { goose }),
        (["ansible", "ansible-playbook"], { ansible }),
        (["eksctl"], { eksctl }),
        (["doctl"], { doctl }),
    ]

    static let kubectl = ToolSpec(
        valued: ["-n", "--namespace", "--context", "--cluster", "--user", "--kubeconfig", "-o", "--output", "-l", "--selector", "-f", "--filename", "-c", "--container", "--field-selector", "--server", "-s", "--token", "--as", "--as-group", "--request-timeout", "-k", "--kustomize", "--grace-period", "--timeout", "--type", "--image", "--replicas", "-p", "--patch", "--sort-by", "--template", "-L", "--label-columns", "--since", "--tail", "--for", "--from-literal", "--from-file", "-i", "--port", "--target-port"],
        rules: [
            VerbRule("get", .read), VerbRule("describe", .read), VerbRule("logs", .read), VerbRule("top", .read),
            VerbRule("explain", .read), VerbRule("api-resources", .read), VerbRule("api-versions", .read), VerbRule("version", .read),
            VerbRule("cluster-info", .read), VerbRule("diff", .read), VerbRule("auth", .read), VerbRule("events", .read),
            VerbRule("wait", .read), VerbRule("port-forward", .read), VerbRule("proxy", .read), VerbRule("completion", .read),
            VerbRule("config view", .read), VerbRule("config get-contexts", .read), VerbRule("config current-context", .read),
            VerbRule("config", .write, reason: "kubectl config changes the local kubeconfig"),
            VerbRule("rollout status", .read), VerbRule("rollout history", .read), VerbRule("rollout undo", .write),
            VerbRule("delete", .destructive), VerbRule("drain", .destructive, reason: "kubectl drain evicts every pod from a node"),
            VerbRule("replace", .destructive, flags: ["--force"], reason: "kubectl replace --force deletes and recreates resources"),
            VerbRule("apply", .destructive, flags: ["--prune"], reason: "kubectl apply --prune deletes resources missing from the manifests"),
            VerbRule("scale", .write), VerbRule("apply", .write), VerbRule("create", .write), VerbRule("patch", .write),
            VerbRule("edit", .write), VerbRule("label", .write), VerbRule("annotate", .write), VerbRule("set", .write),
            VerbRule("rollout", .write), VerbRule("run", .write), VerbRule("expose", .write), VerbRule("autoscale", .write),
            VerbRule("cordon", .write), VerbRule("uncordon", .write), VerbRule("taint", .write), VerbRule("cp", .write),
            VerbRule("debug", .write), VerbRule("attach", .write), VerbRule("certificate", .write), VerbRule("replace", .write),
        ],
        targets: [.flag(["--context"], .kubeContext), .kubeconfig, .fixed(.kubeContext, "unspecified context")],
        innerCommand: InnerCommand(verb: "exec", afterOperand: true, valued: ["-c", "--container", "-n", "--namespace", "--context", "--kubeconfig", "--pod-running-timeout", "-f", "--filename"]))

    static let helm = ToolSpec(
        valued: ["-n", "--namespace", "--kube-context", "--kubeconfig", "-f", "--values", "--set", "--set-string", "--version", "-o", "--output", "--timeout", "--repo"],
        rules: [
            VerbRule("uninstall", .destructive), VerbRule("delete", .destructive), VerbRule("del", .destructive), VerbRule("un", .destructive),
            VerbRule("list", .read), VerbRule("ls", .read), VerbRule("status", .read), VerbRule("get", .read), VerbRule("history", .read),
            VerbRule("template", .read), VerbRule("lint", .read), VerbRule("show", .read), VerbRule("search", .read), VerbRule("version", .read),
            VerbRule("diff", .read), VerbRule("env", .read), VerbRule("verify", .read), VerbRule("repo list", .read),
            VerbRule("repo", .write, reason: "helm repo changes local repository settings"), VerbRule("dependency", .write),
            VerbRule("pull", .write), VerbRule("package", .write), VerbRule("plugin", .write),
            VerbRule("install", .write), VerbRule("upgrade", .write), VerbRule("rollback", .write), VerbRule("test", .write),
        ],
        targets: [.flag(["--kube-context"], .kubeContext), .kubeconfig, .fixed(.kubeContext, "unspecified context")])

    static let terraform = ToolSpec(
        valued: ["-chdir", "-var", "-var-file", "-target", "-state", "-state-out", "-backup", "-lock-timeout", "-parallelism", "-out", "-replace"],
        rules: [
            VerbRule("destroy", .destructive),
            VerbRule("apply", .destructive, flags: ["-destroy", "--destroy"], reason: "terraform apply -destroy destroys every resource"),
            VerbRule("plan", .read), VerbRule("show", .read), VerbRule("output", .read), VerbRule("validate", .read),
            VerbRule("fmt", .read), VerbRule("graph", .read), VerbRule("providers", .read), VerbRule("version", .read),
            VerbRule("console", .read), VerbRule("state list", .read), VerbRule("state show", .read), VerbRule("state pull", .read),
            VerbRule("state rm", .destructive, reason: "terraform state rm makes Terraform forget real resources"),
            VerbRule("state push", .destructive, reason: "terraform state push overwrites the remote state"),
            VerbRule("state replace-provider", .write), VerbRule("state mv", .write),
            VerbRule("workspace delete", .destructive), VerbRule("workspace list", .read), VerbRule("workspace show", .read),
            VerbRule("workspace", .write, reason: "terraform workspace changes the local workspace"),
            VerbRule("init", .write, reason: "terraform init prepares the local working directory"), VerbRule("get", .write),
            VerbRule("force-unlock", .write), VerbRule("import", .write), VerbRule("taint", .write), VerbRule("untaint", .write),
            VerbRule("refresh", .write), VerbRule("apply", .write), VerbRule("run-all destroy", .destructive), VerbRule("run-all plan", .read),
            VerbRule("run-all apply", .write),
        ],
        targets: [.terraformWorkspace])

    static let pulumi = ToolSpec(
        valued: ["-s", "--stack", "-C", "--cwd", "--config", "-c", "--target", "--parallel", "-m", "--message"],
        rules: [
            VerbRule("destroy", .destructive), VerbRule("down", .destructive), VerbRule("stack rm", .destructive),
            VerbRule("state delete", .destructive),
            VerbRule("preview", .read), VerbRule("pre", .read), VerbRule("stack ls", .read), VerbRule("stack output", .read),
            VerbRule("stack history", .read), VerbRule("stack export", .read), VerbRule("stack", .read), VerbRule("whoami", .read),
            VerbRule("about", .read), VerbRule("logs", .read), VerbRule("config get", .read), VerbRule("version", .read),
            VerbRule("up", .write), VerbRule("update", .write), VerbRule("refresh", .write), VerbRule("import", .write),
            VerbRule("config", .write),
        ],
        targets: [.flag(["-s", "--stack"], .workspace), .environment(["PULUMI_STACK"], .workspace), .fixed(.workspace, "unspecified stack")])

    static let aws = ToolSpec(
        valued: ["--profile", "--region", "--output", "--query", "--endpoint-url", "--cli-input-json", "--cli-input-yaml", "--color", "--ca-bundle", "--cli-read-timeout", "--cli-connect-timeout", "--bucket", "--key", "--include", "--exclude", "--instance-ids", "--db-instance-identifier", "--function-name", "--table-name", "--stack-name", "--cluster", "--service", "--name", "--acl", "--storage-class"],
        rules: [
            VerbRule("configure", .write, reason: "aws configure changes local credentials"),
            VerbRule("sts", .read), VerbRule("s3 ls", .read), VerbRule("s3 presign", .read),
            VerbRule("s3 rm", .destructive), VerbRule("s3 rb", .destructive),
            VerbRule("s3 sync", .destructive, flags: ["--delete"], reason: "aws s3 sync --delete removes objects at the destination"),
            VerbRule("s3 mv", .write), VerbRule("s3 cp", .write), VerbRule("s3 sync", .write), VerbRule("s3 mb", .write),
            VerbRule("* describe-*", .read), VerbRule("* get-*", .read), VerbRule("* list-*", .read), VerbRule("* head-*", .read),
            VerbRule("* batch-get-*", .read), VerbRule("* scan", .read), VerbRule("* query", .read), VerbRule("* lookup-*", .read),
            VerbRule("* search-*", .read), VerbRule("* wait", .read), VerbRule("* filter-*", .read), VerbRule("* tail", .read),
            VerbRule("* delete-*", .destructive), VerbRule("* terminate-*", .destructive), VerbRule("* remove-*", .destructive),
            VerbRule("* deregister-*", .destructive), VerbRule("* purge-*", .destructive), VerbRule("* destroy-*", .destructive),
            VerbRule("* batch-delete-*", .destructive), VerbRule("* disable-*", .write), VerbRule("* cancel-*", .write),
            VerbRule("* empty-*", .destructive), VerbRule("* detach-*", .write), VerbRule("* revoke-*", .write),
        ],
        targets: [.flag(["--profile"], .awsProfile), .environment(["AWS_PROFILE", "AWS_DEFAULT_PROFILE"], .awsProfile), .fixed(.awsProfile, "default")])

    static let gcloudVerbs: [VerbRule] = {
        var rules: [VerbRule] = [
            VerbRule("config", .write, reason: "gcloud config changes local settings"), VerbRule("auth", .write, reason: "gcloud auth changes local credentials"),
            VerbRule("info", .read), VerbRule("version", .read), VerbRule("help", .read), VerbRule("components", .write),
        ]
        // The operation is the last word of the command group: `gcloud sql instances delete X`.
        for depth in (1...4).reversed() {
            let prefix = Array(repeating: "*", count: depth - 1).joined(separator: " ")
            func rule(_ verb: String, _ effect: EffectClass) -> VerbRule { VerbRule((prefix.isEmpty ? "" : prefix + " ") + verb, effect) }
            rules += [
                rule("delete", .destructive), rule("remove-*", .destructive), rule("destroy", .destructive), rule("purge", .destructive),
                rule("list", .read), rule("describe", .read), rule("get-*", .read), rule("read", .read), rule("logs", .read), rule("tail", .read),
                rule("export", .read), rule("get-iam-policy", .read), rule("list-*", .read),
                rule("create", .write), rule("update", .write), rule("deploy", .write), rule("set-*", .write), rule("add-*", .write),
                rule("patch", .write), rule("start", .write), rule("stop", .write), rule("resize", .write), rule("reset", .write),
                rule("restore", .write), rule("import", .write), rule("cp", .write), rule("rm", .destructive),
            ]
        }
        return rules
    }()

    static let gcloud = ToolSpec(
        valued: ["--project", "--region", "--zone", "--format", "--filter", "--account", "--configuration", "--impersonate-service-account", "--limit", "--instance", "--database", "--quiet", "--image", "--source"],
        rules: gcloudVerbs,
        targets: [.flag(["--project"], .project), .environment(["CLOUDSDK_CORE_PROJECT", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT"], .project), .fixed(.project, "unspecified project")])

    static let gsutil = ToolSpec(
        valued: ["-o", "-p", "-u", "-h"],
        rules: [VerbRule("rm", .destructive), VerbRule("rb", .destructive), VerbRule("ls", .read), VerbRule("cat", .read), VerbRule("du", .read), VerbRule("stat", .read),
                VerbRule("rsync", .destructive, flags: ["-d"], reason: "gsutil rsync -d deletes objects at the destination"), VerbRule("cp", .write), VerbRule("mv", .write)],
        targets: [.environment(["CLOUDSDK_CORE_PROJECT", "GOOGLE_CLOUD_PROJECT"], .project), .fixed(.project, "unspecified project")])

    static let az = ToolSpec(
        valued: ["--subscription", "-g", "--resource-group", "-n", "--name", "-o", "--output", "--query", "-l", "--location"],
        rules: {
            var rules: [VerbRule] = [VerbRule("login", .write), VerbRule("logout", .write), VerbRule("account", .read), VerbRule("version", .read)]
            for depth in (1...4).reversed() {
                let prefix = Array(repeating: "*", count: depth - 1).joined(separator: " ")
                func rule(_ verb: String, _ effect: EffectClass) -> VerbRule { VerbRule((prefix.isEmpty ? "" : prefix + " ") + verb, effect) }
                rules += [rule("delete", .destructive), rule("purge", .destructive), rule("remove", .destructive), rule("list", .read), rule("show", .read),
                          rule("list-*", .read), rule("show-*", .read), rule("get-*", .read), rule("create", .write), rule("update", .write), rule("set", .write),
                          rule("start", .write), rule("stop", .write), rule("restart", .write), rule("deploy", .write)]
            }
            return rules
        }(),
        targets: [.flag(["--subscription"], .project), .environment(["AZURE_SUBSCRIPTION_ID", "ARM_SUBSCRIPTION_ID"], .project), .fixed(.project, "unspecified subscription")])

    static let docker = ToolSpec(
        valued: ["-H", "--host", "--context", "-c", "--config", "--log-level", "-f", "--filter", "--format", "-e", "--env", "-v", "--volume", "-p", "--publish", "--name", "-w", "--workdir", "-u", "--user", "--network", "--env-file", "--entrypoint", "-t", "--tag", "--platform", "--mount", "--label", "-l", "--restart", "--memory", "-m", "--cpus", "--build-arg", "--target", "--cache-from", "--secret", "--ssh", "--hostname"],
        rules: [
            VerbRule("ps", .read), VerbRule("images", .read), VerbRule("logs", .read), VerbRule("inspect", .read), VerbRule("version", .read),
            VerbRule("info", .read), VerbRule("stats", .read), VerbRule("top", .read), VerbRule("history", .read), VerbRule("diff", .read),
            VerbRule("search", .read), VerbRule("events", .read), VerbRule("port", .read), VerbRule("* ls", .read), VerbRule("* inspect", .read),
            VerbRule("container list", .read), VerbRule("image list", .read), VerbRule("system df", .read), VerbRule("system info", .read),
            VerbRule("compose ps", .read), VerbRule("compose logs", .read), VerbRule("compose config", .read), VerbRule("compose images", .read), VerbRule("compose ls", .read),
            VerbRule("compose down", .destructive, flags: ["-v", "--volumes", "--rmi"], reason: "docker compose down -v deletes volumes"),
            VerbRule("compose rm", .destructive), VerbRule("compose", .write),
            VerbRule("volume rm", .destructive), VerbRule("volume prune", .destructive), VerbRule("system prune", .destructive),
            VerbRule("container prune", .destructive), VerbRule("image prune", .destructive), VerbRule("network prune", .destructive),
            VerbRule("builder prune", .destructive), VerbRule("rm", .destructive), VerbRule("rmi", .destructive), VerbRule("kill", .destructive),
            VerbRule("container rm", .destructive), VerbRule("image rm", .destructive), VerbRule("network rm", .destructive),
            VerbRule("secret rm", .destructive), VerbRule("service rm", .destructive), VerbRule("stack rm", .destructive), VerbRule("context rm", .write),
        ],
        targets: [.flag(["-H", "--host", "--context", "-c"], .dockerHost), .environment(["DOCKER_HOST", "DOCKER_CONTEXT"], .dockerHost)],
        innerCommand: InnerCommand(verb: "exec", afterOperand: true, valued: dockerExecValued))

    static let dockerExecValued: [String] = ["-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "--detach-keys", "--index"]

    static let dockerCompose = ToolSpec(
        valued: ["-f", "--file", "-p", "--project-name", "--env-file", "--profile", "-H", "--host"],
        rules: [VerbRule("ps", .read), VerbRule("logs", .read), VerbRule("config", .read), VerbRule("images", .read),
                VerbRule("down", .destructive, flags: ["-v", "--volumes", "--rmi"], reason: "docker-compose down -v deletes volumes"), VerbRule("rm", .destructive)],
        targets: [.flag(["-H", "--host"], .dockerHost), .environment(["DOCKER_HOST"], .dockerHost)],
        innerCommand: InnerCommand(verb: "exec", afterOperand: true, valued: dockerExecValued))

    static let railway = ToolSpec(
        valued: ["-e", "--environment", "-s", "--service", "-p", "--project"],
        rules: [
            VerbRule("down", .destructive, reason: "railway down removes the latest deployment"), VerbRule("delete", .destructive),
            VerbRule("volume delete", .destructive), VerbRule("volume detach", .write), VerbRule("environment delete", .destructive),
            VerbRule("status", .read), VerbRule("logs", .read), VerbRule("list", .read), VerbRule("whoami", .read), VerbRule("variables", .read, flags: ["--kv", "--json"]),
            VerbRule("volume list", .read), VerbRule("domain", .write), VerbRule("link", .write), VerbRule("login", .write), VerbRule("init", .write),
            VerbRule("up", .write), VerbRule("deploy", .write), VerbRule("redeploy", .write), VerbRule("variables", .write), VerbRule("connect", .write),
        ],
        targets: [.flag(["-e", "--environment"], .project), .environment(["RAILWAY_ENVIRONMENT"], .project), .fixed(.project, "railway linked environment")],
        innerCommand: InnerCommand(verb: "run", afterOperand: false, valued: ["-e", "--environment", "-s", "--service", "-p", "--project"]))

    static let fly = ToolSpec(
        valued: ["-a", "--app", "-c", "--config", "-r", "--region", "--org", "-o", "--image", "-s", "--size"],
        rules: [
            VerbRule("apps destroy", .destructive), VerbRule("apps delete", .destructive), VerbRule("destroy", .destructive),
            VerbRule("volumes destroy", .destructive), VerbRule("volumes delete", .destructive), VerbRule("volume destroy", .destructive),
            VerbRule("volumes rm", .destructive), VerbRule("machine destroy", .destructive), VerbRule("machines destroy", .destructive),
            VerbRule("machine rm", .destructive), VerbRule("postgres detach", .destructive), VerbRule("secrets unset", .destructive),
            VerbRule("status", .read), VerbRule("logs", .read), VerbRule("* list", .read), VerbRule("* ls", .read), VerbRule("info", .read),
            VerbRule("version", .read), VerbRule("doctor", .read), VerbRule("auth", .write), VerbRule("deploy", .write), VerbRule("scale", .write),
            VerbRule("ssh", .opaque, reason: "fly ssh console opens a shell on the app"),
        ],
        targets: [.flag(["-a", "--app"], .project), .environment(["FLY_APP"], .project), .fixed(.project, "fly.toml app")])

    static let heroku = ToolSpec(
        valued: ["-a", "--app", "-r", "--remote", "--confirm", "-t", "--team"],
        rules: [
            VerbRule("apps:destroy", .destructive), VerbRule("destroy", .destructive), VerbRule("pg:reset", .destructive),
            VerbRule("pg:killall", .destructive), VerbRule("addons:destroy", .destructive), VerbRule("addons:remove", .destructive),
            VerbRule("pg:backups:delete", .destructive), VerbRule("redis:cli", .opaque), VerbRule("pg:psql", .opaque, reason: "heroku pg:psql opens a database session"),
            VerbRule("logs", .read), VerbRule("apps", .read), VerbRule("apps:info", .read), VerbRule("config", .read), VerbRule("config:get", .read),
            VerbRule("ps", .read), VerbRule("releases", .read), VerbRule("pg:info", .read), VerbRule("pg:backups", .read), VerbRule("status", .read),
            VerbRule("config:unset", .write), VerbRule("config:set", .write), VerbRule("ps:scale", .write), VerbRule("releases:rollback", .write),
            VerbRule("pg:backups:capture", .write), VerbRule("pg:backups:restore", .destructive, reason: "restoring a backup overwrites the database"),
        ],
        targets: [.flag(["-a", "--app"], .project), .flag(["-r", "--remote"], .project), .environment(["HEROKU_APP"], .project), .fixed(.project, "heroku app")],
        innerCommand: InnerCommand(verb: "run", afterOperand: false, valued: ["-a", "--app", "-r", "--remote", "-s", "--size", "-e", "--env", "--type", "-x", "--exit-code"]))

    static let vercel = ToolSpec(
        valued: ["--scope", "--token", "-t", "--target", "-e", "--env", "-b", "--build-env", "--cwd", "-A", "--local-config"],
        rules: [
            VerbRule("remove", .destructive), VerbRule("rm", .destructive), VerbRule("env rm", .destructive), VerbRule("env remove", .destructive),
            VerbRule("domains rm", .destructive), VerbRule("project rm", .destructive), VerbRule("projects rm", .destructive), VerbRule("dns rm", .destructive),
            VerbRule("ls", .read), VerbRule("list", .read), VerbRule("logs", .read), VerbRule("inspect", .read), VerbRule("whoami", .read),
            VerbRule("env ls", .read), VerbRule("env pull", .write), VerbRule("domains ls", .read), VerbRule("project ls", .read),
            VerbRule("dev", .write), VerbRule("build", .write), VerbRule("link", .write), VerbRule("login", .write),
        ],
        targets: [.presence(["--prod", "--production"], .project, "production"), .flag(["--target"], .project), .fixed(.project, "preview")])

    static let netlify = ToolSpec(
        valued: ["--site", "--auth", "--dir", "--functions", "--context", "-a", "-s", "-d"],
        rules: [VerbRule("sites:delete", .destructive), VerbRule("env:unset", .destructive), VerbRule("status", .read), VerbRule("sites:list", .read), VerbRule("env:list", .read),
                VerbRule("dev", .write), VerbRule("build", .write), VerbRule("deploy", .write)],
        targets: [.presence(["--prod", "--prodIfUnlocked"], .project, "production"), .flag(["--context"], .project), .fixed(.project, "netlify site")])

    static let gh = ToolSpec(
        valued: ["-R", "--repo", "-X", "--method", "-H", "--header", "-f", "--raw-field", "-F", "--field", "--jq", "-q", "--template", "-t", "--title", "-b", "--body", "-B", "--base", "-l", "--label", "-L", "--limit", "-s", "--state", "--hostname", "--input"],
        rules: [
            VerbRule("repo delete", .destructive), VerbRule("release delete", .destructive), VerbRule("secret delete", .destructive),
            VerbRule("secret remove", .destructive), VerbRule("variable delete", .destructive), VerbRule("run delete", .destructive),
            VerbRule("cache delete", .destructive), VerbRule("label delete", .destructive), VerbRule("repo archive", .destructive),
            VerbRule("gist delete", .destructive), VerbRule("ssh-key delete", .destructive), VerbRule("issue delete", .destructive),
            VerbRule("release delete-asset", .destructive), VerbRule("api", .destructive, flags: ["-X=DELETE", "--method=DELETE"], reason: "gh api -X DELETE removes a resource"),
            VerbRule("api", .write, flags: ["-X=POST", "--method=POST", "-X=PUT", "--method=PUT", "-X=PATCH", "--method=PATCH", "-f", "-F", "--field", "--raw-field", "--input"], reason: "gh api with a body or a writing method changes data"),
            VerbRule("api", .read), VerbRule("* list", .read), VerbRule("* view", .read), VerbRule("* status", .read), VerbRule("* diff", .read),
            VerbRule("* checks", .read), VerbRule("search", .read), VerbRule("browse", .read), VerbRule("auth status", .read), VerbRule("run watch", .read),
            VerbRule("pr checkout", .write), VerbRule("repo clone", .write), VerbRule("auth", .write),
        ],
        targets: [.flag(["-R", "--repo"], .gitRemote), .environment(["GH_REPO"], .gitRemote), .fixed(.gitRemote, "current GitHub repository")])

    static let supabase = ToolSpec(
        valued: ["--project-ref", "--db-url", "-p", "--password", "--workdir", "--linked", "--schema", "-s"],
        rules: [VerbRule("db reset", .destructive), VerbRule("projects delete", .destructive), VerbRule("functions delete", .destructive), VerbRule("secrets unset", .destructive),
                VerbRule("db push", .write), VerbRule("db pull", .read), VerbRule("db diff", .read), VerbRule("db dump", .read), VerbRule("status", .read),
                VerbRule("start", .write), VerbRule("stop", .write), VerbRule("* list", .read), VerbRule("migration list", .read), VerbRule("migration repair", .write),
                VerbRule("gen", .read), VerbRule("link", .write), VerbRule("login", .write), VerbRule("functions deploy", .write)],
        targets: [.flag(["--db-url"], .host), .flag(["--project-ref"], .project), .presence(["--local"], .host, "localhost"), .presence(["--linked"], .project, "linked supabase project"), .fixed(.host, "localhost")])

    static let wrangler = ToolSpec(
        valued: ["--env", "-e", "--name", "--config", "-c", "--binding", "--namespace-id", "--command", "--file"],
        rules: [VerbRule("delete", .destructive), VerbRule("d1 delete", .destructive), VerbRule("kv namespace delete", .destructive), VerbRule("kv key delete", .destructive),
                VerbRule("kv:namespace delete", .destructive), VerbRule("r2 bucket delete", .destructive), VerbRule("r2 object delete", .destructive),
                VerbRule("d1 execute", .opaque, reason: "wrangler d1 execute runs SQL on a D1 database"), VerbRule("tail", .read), VerbRule("whoami", .read), VerbRule("* list", .read),
                VerbRule("dev", .write), VerbRule("deploy", .write), VerbRule("publish", .write), VerbRule("secret delete", .destructive)],
        targets: [.presence(["--local"], .host, "localhost"), .flag(["--env", "-e"], .project), .fixed(.project, "cloudflare account")])

    // MARK: ORMs and migration tools

    static let prisma = ToolSpec(
        valued: ["--schema", "--name", "--file", "--url", "--from-url", "--to-url", "--from-schema-datamodel", "--to-schema-datamodel", "--from-migrations", "--to-migrations", "--shadow-database-url"],
        rules: [
            VerbRule("migrate reset", .destructive, reason: "prisma migrate reset drops the database and recreates it"),
            VerbRule("db push", .destructive, flags: ["--force-reset", "--accept-data-loss"], reason: "prisma db push with --force-reset/--accept-data-loss drops data"),
            VerbRule("db push", .write), VerbRule("db execute", .opaque, reason: "prisma db execute runs arbitrary SQL"), VerbRule("db seed", .write),
            VerbRule("db pull", .read), VerbRule("migrate deploy", .write), VerbRule("migrate dev", .write), VerbRule("migrate resolve", .write),
            VerbRule("migrate status", .read), VerbRule("migrate diff", .read), VerbRule("studio", .write),
            VerbRule("generate", .read, reason: "prisma generate only writes the local client"), VerbRule("format", .read), VerbRule("validate", .read),
            VerbRule("init", .read), VerbRule("version", .read), VerbRule("-v", .read),
        ],
        targets: [.flag(["--url"], .host)] + applicationTargets)

    static let drizzle = ToolSpec(
        valued: ["--config", "--dialect", "--schema", "--out", "--url", "--table", "--host"],
        rules: [
            VerbRule("push", .destructive, reason: "drizzle-kit push applies schema changes directly and may drop columns or tables"),
            VerbRule("drop", .destructive), VerbRule("migrate", .write), VerbRule("up", .write),
            VerbRule("generate", .read, reason: "drizzle-kit generate only writes migration files"), VerbRule("check", .read), VerbRule("introspect", .read),
            VerbRule("pull", .read), VerbRule("studio", .write),
        ],
        targets: [.flag(["--url"], .host)] + applicationTargets)

    static let rails = ToolSpec(
        valued: ["-e", "--environment", "-f", "--rakefile"],
        rules: [
            VerbRule("db:drop*", .destructive), VerbRule("db:reset", .destructive), VerbRule("db:schema:load", .destructive),
            VerbRule("db:structure:load", .destructive), VerbRule("db:purge*", .destructive), VerbRule("db:truncate_all", .destructive),
            VerbRule("db:migrate:reset", .destructive), VerbRule("db:rollback", .destructive, reason: "rolling back migrations can drop tables and columns"),
            VerbRule("db:migrate:down", .destructive), VerbRule("db:migrate:redo", .destructive), VerbRule("db:fixtures:load", .destructive),
            VerbRule("db:seed:replant", .destructive), VerbRule("db:version", .read), VerbRule("db:migrate:status", .read),
            VerbRule("db:migrate", .write), VerbRule("db:create", .write), VerbRule("db:setup", .write), VerbRule("db:prepare", .write), VerbRule("db:seed", .write),
            VerbRule("dbconsole", .opaque, reason: "rails dbconsole opens a database session"), VerbRule("db", .opaque, reason: "rails db opens a database session"),
            VerbRule("console", .opaque, reason: "rails console runs arbitrary code against the application"), VerbRule("c", .opaque),
            VerbRule("runner", .opaque, reason: "rails runner runs arbitrary code"), VerbRule("routes", .read), VerbRule("about", .read), VerbRule("stats", .read),
            VerbRule("test*", .write), VerbRule("spec", .write), VerbRule("server", .write), VerbRule("s", .write), VerbRule("generate", .write), VerbRule("g", .write),
            VerbRule("assets:*", .write), VerbRule("-T", .read), VerbRule("new", .write),
        ],
        targets: [.flag(["-e", "--environment"], .project), .all([.environment(["RAILS_ENV", "RACK_ENV"], .project), .databaseURL(databaseURLs)]), .fixed(.project, "development")])

    static let django = ToolSpec(
        valued: ["--settings", "--database", "--pythonpath", "-v", "--verbosity"],
        rules: [
            VerbRule("flush", .destructive), VerbRule("reset_db", .destructive), VerbRule("sqlflush", .read),
            VerbRule("migrate * zero", .destructive, reason: "migrating an app to zero drops its tables"),
            VerbRule("migrate", .write), VerbRule("loaddata", .write), VerbRule("createsuperuser", .write), VerbRule("changepassword", .write),
            VerbRule("dbshell", .opaque, reason: "django dbshell opens a database session"), VerbRule("shell", .opaque, reason: "django shell runs arbitrary code"),
            VerbRule("shell_plus", .opaque), VerbRule("showmigrations", .read), VerbRule("sqlmigrate", .read), VerbRule("check", .read),
            VerbRule("dumpdata", .read), VerbRule("inspectdb", .read), VerbRule("diffsettings", .read), VerbRule("makemigrations", .read, reason: "makemigrations only writes migration files"),
            VerbRule("runserver", .write), VerbRule("test", .write), VerbRule("collectstatic", .write), VerbRule("startapp", .write),
        ],
        targets: [.flag(["--settings"], .project), .all([.databaseURL(databaseURLs), .environment(["DJANGO_SETTINGS_MODULE", "DJANGO_ENV", "ENVIRONMENT"], .project)]), .fixed(.project, "default settings")])

    static let alembic = ToolSpec(
        valued: ["-c", "--config", "-n", "--name", "-x", "-m", "--message"],
        rules: [VerbRule("downgrade", .destructive, reason: "alembic downgrade runs down-migrations, which drop schema"), VerbRule("upgrade", .write), VerbRule("stamp", .write),
                VerbRule("history", .read), VerbRule("current", .read), VerbRule("heads", .read), VerbRule("show", .read), VerbRule("check", .read), VerbRule("branches", .read),
                VerbRule("revision", .read, reason: "alembic revision only writes a migration file"), VerbRule("init", .read)],
        targets: applicationTargets)

    static let sequelize = ToolSpec(
        valued: ["--env", "--config", "--url", "--migrations-path", "--seeders-path", "--to", "--seed", "--name"],
        rules: [VerbRule("db:drop", .destructive), VerbRule("db:migrate:undo:all", .destructive), VerbRule("db:migrate:undo", .destructive),
                VerbRule("db:seed:undo:all", .destructive), VerbRule("db:seed:undo", .destructive), VerbRule("db:migrate:status", .read),
                VerbRule("db:migrate", .write), VerbRule("db:seed*", .write), VerbRule("db:create", .write), VerbRule("init*", .read),
                VerbRule("migration:generate", .read), VerbRule("model:generate", .read), VerbRule("seed:generate", .read)],
        targets: [.flag(["--url"], .host), .flag(["--env"], .project)] + applicationTargets)

    static let knex = ToolSpec(
        valued: ["--env", "--knexfile", "--cwd", "--client", "--connection", "--migrations-directory", "--specific"],
        rules: [VerbRule("migrate:rollback", .destructive, flags: ["--all"], reason: "knex migrate:rollback --all undoes every migration"),
                VerbRule("migrate:rollback", .write), VerbRule("migrate:down", .write), VerbRule("migrate:latest", .write), VerbRule("migrate:up", .write),
                VerbRule("seed:run", .write), VerbRule("migrate:status", .read), VerbRule("migrate:list", .read), VerbRule("migrate:currentVersion", .read),
                VerbRule("migrate:make", .read), VerbRule("seed:make", .read), VerbRule("init", .read), VerbRule("migrate:unlock", .write)],
        targets: [.flag(["--env"], .project)] + applicationTargets)

    static let typeorm = ToolSpec(
        valued: ["-d", "--dataSource", "-c", "--connection", "-n", "--name"],
        rules: [VerbRule("schema:drop", .destructive), VerbRule("migration:revert", .destructive), VerbRule("schema:sync", .destructive, reason: "schema:sync can drop columns and tables"),
                VerbRule("query", .opaque), VerbRule("migration:run", .write), VerbRule("schema:log", .read), VerbRule("migration:show", .read),
                VerbRule("migration:generate", .read), VerbRule("migration:create", .read), VerbRule("cache:clear", .write)],
        targets: applicationTargets)

    static let flyway = ToolSpec(
        valued: ["-url", "-user", "-password", "-schemas", "-locations", "-configFiles", "-environment"],
        rules: [VerbRule("clean", .destructive, reason: "flyway clean drops every object in the schemas"), VerbRule("undo", .destructive),
                VerbRule("migrate", .write), VerbRule("baseline", .write), VerbRule("repair", .write), VerbRule("info", .read), VerbRule("validate", .read)],
        targets: [.flag(["-url"], .host), .flag(["-environment"], .project)] + applicationTargets)

    static let liquibase = ToolSpec(
        valued: ["--url", "--username", "--password", "--changelog-file", "--defaults-file", "--count", "--tag"],
        rules: [VerbRule("drop-all", .destructive), VerbRule("dropAll", .destructive), VerbRule("rollback*", .destructive),
                VerbRule("update*", .write), VerbRule("status", .read), VerbRule("history", .read), VerbRule("diff*", .read), VerbRule("validate", .read), VerbRule("update-sql", .read)],
        targets: [.flag(["--url"], .host)] + applicationTargets)

    static let migrate = ToolSpec(
        valued: ["-database", "-path", "-source"],
        rules: [VerbRule("drop", .destructive), VerbRule("down", .destructive), VerbRule("force", .write), VerbRule("goto", .write), VerbRule("up", .write), VerbRule("version", .read), VerbRule("create", .read)],
        targets: [.flag(["-database"], .host)] + applicationTargets)

    static let dbmate = ToolSpec(
        valued: ["-u", "--url", "-e", "--env", "-d", "--migrations-dir"],
        rules: [VerbRule("drop", .destructive), VerbRule("rollback", .destructive), VerbRule("down", .destructive), VerbRule("up", .write), VerbRule("migrate", .write),
                VerbRule("create", .write), VerbRule("status", .read), VerbRule("new", .read), VerbRule("dump", .read), VerbRule("wait", .read)],
        targets: [.flag(["-u", "--url"], .host)] + applicationTargets)

    static let goose = ToolSpec(
        valued: ["-dir", "-table", "-env"],
        rules: [VerbRule("* * reset", .destructive), VerbRule("* * down*", .destructive), VerbRule("* * up*", .write), VerbRule("* * redo", .destructive),
                VerbRule("* * status", .read), VerbRule("* * version", .read), VerbRule("create", .read)],
        targets: applicationTargets)

    static let ansible = ToolSpec(
        valued: ["-i", "--inventory", "-m", "--module-name", "-a", "--args", "-l", "--limit", "-e", "--extra-vars", "-u", "--user", "-t", "--tags"],
        rules: [VerbRule("*", .opaque, flags: ["--check", "-C"], reason: "a check run"), VerbRule("*", .opaque, reason: "ansible runs tasks on remote hosts; their effect is not judged from the command line")],
        fallback: .opaque,
        targets: [.flag(["-i", "--inventory"], .project), .flag(["-l", "--limit"], .host), .fixed(.project, "ansible inventory")])

    static let eksctl = ToolSpec(
        valued: ["--name", "-n", "--region", "-r", "--profile", "-f", "--config-file", "--cluster"],
        rules: [VerbRule("delete", .destructive), VerbRule("get", .read), VerbRule("utils describe-*", .read), VerbRule("create", .write), VerbRule("upgrade", .write), VerbRule("scale", .write)],
        targets: [.flag(["--profile"], .awsProfile), .flag(["--name", "-n", "--cluster"], .kubeContext), .environment(["AWS_PROFILE"], .awsProfile), .fixed(.awsProfile, "default")])

    static let doctl = ToolSpec(
        valued: ["--context", "-t", "--access-token", "-o", "--output", "--format"],
        rules: [VerbRule("* * delete", .destructive), VerbRule("* delete", .destructive), VerbRule("* * list", .read), VerbRule("* list", .read), VerbRule("* * get", .read), VerbRule("* get", .read),
                VerbRule("account", .read), VerbRule("auth", .write), VerbRule("* * create", .write), VerbRule("* create", .write)],
        targets: [.flag(["--context"], .project), .fixed(.project, "digitalocean account")])
}
