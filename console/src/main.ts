/** The workspace console: a token, a project, its workspaces kept live over one WebSocket. */

import type { ProjectRole, TypedDocumentString } from "../generated/graphql.js";
import { ApiError, openSocket, request, type Socket, type SocketState } from "./api.js";
import {
  ConsoleCreateProject,
  ConsoleCreateWorkspace,
  ConsoleDeleteWorkspace,
  ConsoleKeepWorkspaceAlive,
  ConsoleProjectWorkspaces,
  ConsoleStartWorkspace,
  ConsoleStopWorkspace,
  ConsoleUpdateWorkspace,
  ConsoleViewer,
  ConsoleWorkspaceHistory,
} from "./documents.js";
import { byId, h, showLines } from "./dom.js";
import { HardwareForm, type HardwareOptions, type HardwareValues } from "./hardware-form.js";
import { MembersPanel } from "./members-panel.js";
import { parseLabelFilter, type WorkspaceEvent } from "./policy-text.js";
import { sentence } from "./sentence.js";
import { TokensPanel } from "./tokens-panel.js";
import { type Workspace, WorkspaceList } from "./workspace-list.js";

/** sessionStorage only: the token leaves with the tab. */
const TOKEN_KEY = "workspace-console.token";

const tokenForm = byId<HTMLFormElement>("token-form");
const tokenInput = byId<HTMLInputElement>("token");
const tokenMessage = byId("token-message");
const viewerLine = byId("viewer");
const connection = byId("connection");
const announcer = byId("announcer");
const projectSection = byId("project-section");
const projectSelect = byId<HTMLSelectElement>("project");
const projectForm = byId<HTMLFormElement>("project-form");
const projectMessage = byId("project-message");
const workspaceSection = byId("workspace-section");
const workspaceForm = byId<HTMLFormElement>("workspace-form");
const roleLine = byId("role");
const tokensSection = byId("tokens-section");
const filterForm = byId<HTMLFormElement>("filter-form");
const filterInput = byId<HTMLInputElement>("label-filter");
const filterMessage = byId("label-filter-message");
const filterCount = byId("filter-count");

/** What each role may do here; the server decides, the page only leaves out what it would refuse. */
const RANK: Record<ProjectRole, number> = { VIEWER: 0, DEVELOPER: 1, ADMIN: 2 };
/** History pages read for one workspace at most (100 events each). */
const HISTORY_PAGES = 10;

let token: string | undefined;
let socket: Socket | undefined;
let projectId: string | undefined;
/** The viewer's default hardware: what the form starts from in every project. */
let defaults: HardwareValues | undefined;
let viewerId: string | undefined;
let options: HardwareOptions = { cpuKinds: [], volumeSizeGb: { min: 1, max: 1 }, gpuKinds: [] };
/** The viewer's role on the open project; VIEWER until the project says. */
let role: ProjectRole = "VIEWER";
/** Member emails by user id: history lines say who acted. */
let emails = new Map<string, string>();
/** The viewer's projects as last read: the project and token forms choose among them. */
let projects: { id: string; name: string }[] = [];
/** Bumped by every project load: an answer for an older one is dropped. */
let loading = 0;

const CONNECTION_TEXT: Record<SocketState | "offline", string> = {
  offline: "Not connected.",
  connecting: "Connecting to live updates…",
  live: "Live: statuses update as they change.",
  reconnecting: "Connection lost. Reconnecting… (statuses may be out of date until then)",
  refused:
    "The live connection refused this token (close 4403): it is unknown or revoked. Paste a valid token.",
};

function setConnection(state: SocketState | "offline"): void {
  connection.textContent = CONNECTION_TEXT[state];
  connection.dataset.state = state;
  if (state === "refused") tokenMessage.textContent = CONNECTION_TEXT.refused;
}

function announce(message: string): void {
  announcer.textContent = message;
}

const hardwareForm = new HardwareForm(workspaceForm, byId("workspace-message"), announce);

function describe(error: unknown): string {
  if (error instanceof ApiError && error.code === "UNAUTHENTICATED") {
    return "This token was refused (UNAUTHENTICATED): it is unknown, revoked or mistyped. Paste a valid API token.";
  }
  return error instanceof Error ? sentence(error.message) : "The request failed.";
}

function call<R, V>(document: TypedDocumentString<R, V>, variables: V): Promise<R> {
  if (!token) return Promise.reject(new ApiError("Paste an API token first."));
  return request(token, document, variables);
}

const list = new WorkspaceList(byId<HTMLUListElement>("workspaces"), byId("empty"), {
  socket: () => socket,
  announce,
  async stop(id) {
    const { stopWorkspace: result } = await call(ConsoleStopWorkspace, { id });
    return result.__typename === "StopWorkspaceSuccess" ? result.workspace : result.message;
  },
  async start(id) {
    const { startWorkspace: result } = await call(ConsoleStartWorkspace, { id });
    return result.__typename === "StartWorkspaceSuccess" ? result.workspace : result.message;
  },
  async remove(id) {
    const { deleteWorkspace: result } = await call(ConsoleDeleteWorkspace, { id });
    return result.__typename === "DeleteWorkspaceSuccess" ? true : result.message;
  },
  async keepAlive(id) {
    const { keepWorkspaceAlive: result } = await call(ConsoleKeepWorkspaceAlive, { id });
    return result.__typename === "KeepWorkspaceAliveSuccess" ? result.workspace : result.message;
  },
  async resize(id, hardware) {
    try {
      const { updateWorkspace: result } = await call(ConsoleUpdateWorkspace, {
        id,
        input: { hardware },
      });
      if (result.__typename === "UpdateWorkspaceSuccess") return { workspace: result.workspace };
      return { message: result.message, issues: "issues" in result ? result.issues : [] };
    } catch (error) {
      return { message: describe(error), issues: [] };
    }
  },
  async history(id) {
    const events: WorkspaceEvent[] = [];
    let after: string | null | undefined;
    for (let page = 0; page < HISTORY_PAGES; page++) {
      const { workspace } = await call(ConsoleWorkspaceHistory, { id, after });
      if (!workspace) break;
      events.push(...workspace.history.edges.map((edge) => edge.node));
      if (!workspace.history.pageInfo.hasNextPage) break;
      after = workspace.history.pageInfo.endCursor;
    }
    return events;
  },
  who: (userId) => (userId === viewerId ? "you" : (emails.get(userId) ?? "a user")),
  options: () => options,
  mayAct: () => RANK[role] >= RANK.DEVELOPER,
});

const members = new MembersPanel({
  call,
  describe,
  announce,
  viewerId: () => viewerId,
  async selfChanged(left) {
    if (!left) {
      if (projectId) await openProject(projectId);
      return;
    }
    // Gone from the project: it leaves the list, and no other one opens by itself.
    const { viewer } = await call(ConsoleViewer, {});
    showProjects(
      viewer.projects.edges.map((edge) => edge.node),
      "",
    );
    await openProject("");
  },
});

const tokens = new TokensPanel({
  call,
  describe,
  announce,
  projects: () => projects,
  current: () => token,
});

function signOut(): void {
  socket?.close();
  socket = undefined;
  token = undefined;
  projectId = undefined;
  list.reset([]);
  projectSection.hidden = true;
  workspaceSection.hidden = true;
  tokensSection.hidden = true;
  tokens.reset();
  members.show(undefined, "VIEWER", []);
  viewerLine.textContent = "";
  setConnection("offline");
}

async function signIn(value: string): Promise<void> {
  signOut();
  tokenMessage.textContent = "Checking the token…";
  try {
    const { viewer, hardwareOptions } = await request(value, ConsoleViewer, {});
    token = value;
    try {
      sessionStorage.setItem(TOKEN_KEY, value);
    } catch {
      // Storage may be off: the token then lives in memory only.
    }
    tokenMessage.textContent = "";
    viewerLine.textContent = `Signed in as ${viewer.email}.`;
    viewerId = viewer.id;
    options = hardwareOptions;
    socket = openSocket(value, setConnection);
    defaults = viewer.defaultHardware;
    hardwareForm.offer(hardwareOptions);
    hardwareForm.reset(defaults);
    showProjects(viewer.projects.edges.map((edge) => edge.node));
    projectSection.hidden = false;
    tokensSection.hidden = false;
    void tokens.load();
  } catch (error) {
    tokenMessage.textContent = describe(error);
    tokenInput.focus();
  }
}

function showProjects(list: { id: string; name: string }[], select?: string): void {
  projects = list;
  tokens.offerProjects();
  projectSelect.replaceChildren(
    h("option", { value: "" }, projects.length ? "Choose a project…" : "No projects yet"),
    ...projects.map((project) => h("option", { value: project.id }, project.name)),
  );
  const chosen = select ?? (projects.length === 1 ? projects[0]?.id : undefined);
  if (chosen) {
    projectSelect.value = chosen;
    void openProject(chosen);
  }
}

async function openProject(id: string): Promise<void> {
  const current = ++loading;
  projectId = id || undefined;
  list.reset([]);
  // Another project starts from the defaults: no values or messages carried over.
  if (defaults) hardwareForm.reset(defaults);
  else hardwareForm.clear();
  workspaceSection.hidden = !projectId;
  roleLine.textContent = "";
  members.show(projectId, "VIEWER", []);
  if (!projectId) return;
  projectMessage.textContent = "";
  try {
    const { project } = await call(ConsoleProjectWorkspaces, { id: projectId });
    if (current !== loading) return;
    if (!project) {
      projectMessage.textContent = "This project no longer exists.";
      return;
    }
    role = project.viewerRole;
    emails = new Map(
      project.members.flatMap((member) => (member.userId ? [[member.userId, member.email]] : [])),
    );
    roleLine.textContent = `Your role: ${role.toLowerCase()}.`;
    members.show(projectId, role, project.members);
    workspaceForm.hidden = RANK[role] < RANK.DEVELOPER;
    list.reset(project.workspaces.edges.map((edge) => edge.node));
    applyFilter();
  } catch (error) {
    if (current === loading) projectMessage.textContent = describe(error);
  }
}

tokenForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const value = tokenInput.value.trim();
  if (value) void signIn(value);
  else tokenMessage.textContent = "Paste an API token first.";
});

byId("forget").addEventListener("click", () => {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Nothing was stored.
  }
  tokenInput.value = "";
  tokenMessage.textContent = "";
  signOut();
  tokenInput.focus();
});

projectSelect.addEventListener("change", () => void openProject(projectSelect.value));

projectForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const nameInput = byId<HTMLInputElement>("project-name");
  projectMessage.textContent = "";
  try {
    const { createProject: result } = await call(ConsoleCreateProject, {
      input: { name: nameInput.value.trim() },
    });
    if (result.__typename !== "CreateProjectSuccess") {
      const issues = result.__typename === "InvalidInputError" ? result.issues : [];
      showLines(projectMessage, [result.message, ...issues.map((issue) => issue.message)]);
      return;
    }
    nameInput.value = "";
    const { viewer } = await call(ConsoleViewer, {});
    showProjects(
      viewer.projects.edges.map((edge) => edge.node),
      result.project.id,
    );
    announce(`Project ${result.project.name} created.`);
  } catch (error) {
    projectMessage.textContent = describe(error);
  }
});

workspaceForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!projectId) return;
  const submit = workspaceForm.querySelector<HTMLButtonElement>("button[type=submit]");
  hardwareForm.clear();
  if (submit) submit.disabled = true;
  try {
    const { hardware, keepActive } = hardwareForm.read();
    const { createWorkspace: result } = await call(ConsoleCreateWorkspace, {
      input: { projectId, hardware, keepActive },
    });
    if (result.__typename === "CreateWorkspaceSuccess") {
      list.add(result.workspace as Workspace);
      announce(`Workspace ${result.workspace.id.slice(0, 8)} created.`);
    } else {
      hardwareForm.showIssues(result.message, "issues" in result ? result.issues : []);
    }
  } catch (error) {
    hardwareForm.showIssues(describe(error), []);
  } finally {
    if (submit) submit.disabled = false;
  }
});

/** Narrows the list to the filter's labels; a malformed pair is said and nothing changes. */
function applyFilter(): void {
  const labels = parseLabelFilter(filterInput.value);
  if (typeof labels === "string") {
    filterMessage.textContent = labels;
    filterInput.setAttribute("aria-invalid", "true");
    return;
  }
  filterMessage.textContent = "";
  filterInput.removeAttribute("aria-invalid");
  const shown = list.filter(labels);
  filterCount.textContent = labels.length
    ? `${shown} ${shown === 1 ? "workspace has" : "workspaces have"} these labels.`
    : "";
}

filterForm.addEventListener("submit", (event) => {
  event.preventDefault();
  applyFilter();
});

byId("clear-filter").addEventListener("click", () => {
  filterInput.value = "";
  applyFilter();
});

setConnection("offline");
try {
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) {
    tokenInput.value = saved;
    void signIn(saved);
  }
} catch {
  // No storage: paste the token.
}
