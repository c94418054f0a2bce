// The three.js side of the point-cloud viewer: one renderer, a z-up perspective camera with orbit controls, the
// points, and the annotations as line segments. Rendering happens on demand (after a change), never in a loop, so
// an idle viewer costs no CPU or GPU.

import {
  BufferAttribute,
  BufferGeometry,
  Color,
  Group,
  LinearSRGBColorSpace,
  LineBasicMaterial,
  LineLoop,
  Line,
  LineSegments,
  PerspectiveCamera,
  Points,
  PointsMaterial,
  Scene,
  Vector3,
  WebGLRenderer,
  type Object3D,
} from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { PCDLoader } from "three/addons/loaders/PCDLoader.js";
import { PLYLoader } from "three/addons/loaders/PLYLoader.js";
import { colorize, cuboidSegments, isCuboid, parseXYZI, RAW_TYPES, viewBounds, type Annotation3D, type Bounds, type Cloud } from "./cloud";

export type ViewName = "top" | "side" | "front" | "perspective";

/** Parses a downloaded point-cloud file of Segments' `pcd.type`. */
export function parseCloud(data: ArrayBuffer, type: string): Cloud {
  if (RAW_TYPES.includes(type)) return parseXYZI(data, type);
  let geometry: BufferGeometry;
  if (type === "pcd") geometry = new PCDLoader().parse(data).geometry;
  else if (type === "ply") geometry = new PLYLoader().parse(data);
  else throw new Error(`point clouds of type "${type}" cannot be shown yet (pcd, ply, kitti and binary-xyzi can)`);
  const pos = geometry.getAttribute("position");
  if (!pos) throw new Error(`the ${type} file has no points`);
  const positions = pos.array instanceof Float32Array ? pos.array : Float32Array.from(pos.array as ArrayLike<number>);
  const color = geometry.getAttribute("color");
  const intensity = geometry.getAttribute("intensity");
  return {
    positions,
    colors: color ? Float32Array.from(color.array as ArrayLike<number>) : null,
    intensity: intensity ? Float32Array.from(intensity.array as ArrayLike<number>) : null,
    count: pos.count,
  };
}

export class PointCloudScene {
  readonly renderer: WebGLRenderer;
  private camera = new PerspectiveCamera(50, 1, 0.05, 5000);
  private controls: OrbitControls;
  private scene = new Scene();
  private points: Points | null = null;
  private annotations = new Group();
  private bounds: Bounds | null = null;
  private frameRequested = false;
  private material = new PointsMaterial({ size: 2, sizeAttenuation: false, vertexColors: true });
  /** called when the user moves the camera by hand (the named view no longer applies) */
  onUserMove: (() => void) | null = null;
  /** number of frames drawn; the tests and the bench read it */
  frames = 0;
  lastRenderMs = 0;

  constructor(private host: HTMLElement) {
    // throws when WebGL is unavailable; the page shows that as an error
    this.renderer = new WebGLRenderer({ antialias: false, preserveDrawingBuffer: false, powerPreference: "high-performance" });
    this.renderer.outputColorSpace = LinearSRGBColorSpace; // colours as given (category colours are sRGB bytes)
    this.renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
    this.renderer.setClearColor(new Color(0x16181d));
    this.renderer.domElement.className = "pointcloud-canvas";
    host.appendChild(this.renderer.domElement);
    this.camera.up.set(0, 0, 1); // lidar frames are z-up
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.enableDamping = false;
    this.controls.screenSpacePanning = true;
    this.controls.zoomToCursor = true;
    this.controls.addEventListener("change", () => this.requestRender());
    this.controls.addEventListener("start", () => this.onUserMove?.());
    this.scene.add(this.annotations);
    this.resize();
  }

  resize(): void {
    const w = Math.max(1, this.host.clientWidth), h = Math.max(1, this.host.clientHeight);
    this.renderer.setSize(w, h);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  setCloud(cloud: Cloud): void {
    if (this.points) {
      this.scene.remove(this.points);
      this.points.geometry.dispose();
    }
    this.bounds = viewBounds(cloud.positions);
    const g = new BufferGeometry();
    g.setAttribute("position", new BufferAttribute(cloud.positions, 3));
    g.setAttribute("color", new BufferAttribute(colorize(cloud, this.bounds), 3));
    g.computeBoundingSphere();
    this.points = new Points(g, this.material);
    this.scene.add(this.points);
    const r = this.radius();
    this.camera.near = Math.max(0.01, r / 2000);
    this.camera.far = r * 200;
    this.camera.updateProjectionMatrix();
    this.controls.maxDistance = r * 50;
    this.requestRender();
  }

  setAnnotations(list: Annotation3D[], colorOf: (categoryId: number) => [number, number, number]): void {
    for (const child of [...this.annotations.children]) {
      this.annotations.remove(child);
      (child as LineSegments).geometry.dispose();
      ((child as LineSegments).material as LineBasicMaterial).dispose();
    }
    for (const a of list) {
      const [r, g, b] = colorOf(a.category_id);
      const material = new LineBasicMaterial({ color: new Color(r / 255, g / 255, b / 255) });
      let obj: Object3D;
      if (isCuboid(a)) {
        const geo = new BufferGeometry();
        geo.setAttribute("position", new BufferAttribute(cuboidSegments(a), 3));
        obj = new LineSegments(geo, material);
      } else {
        const geo = new BufferGeometry();
        const pts = a.points.map((p) => [p[0], p[1], p[2] ?? 0]).flat();
        geo.setAttribute("position", new BufferAttribute(new Float32Array(pts), 3));
        if (a.type === "point") {
          obj = new Points(geo, new PointsMaterial({ color: material.color, size: 8, sizeAttenuation: false }));
          material.dispose();
        } else obj = a.type === "polygon" ? new LineLoop(geo, material) : new Line(geo, material);
      }
      obj.userData.annotationId = a.id;
      this.annotations.add(obj);
    }
    this.requestRender();
  }

  setPointSize(px: number): void {
    this.material.size = px;
    this.requestRender();
  }

  private center(): Vector3 {
    const b = this.bounds;
    if (!b) return new Vector3();
    return new Vector3((b.min[0] + b.max[0]) / 2, (b.min[1] + b.max[1]) / 2, (b.min[2] + b.max[2]) / 2);
  }

  private radius(): number {
    const b = this.bounds;
    if (!b) return 10;
    return Math.max(1, Math.hypot(b.max[0] - b.min[0], b.max[1] - b.min[1], b.max[2] - b.min[2]) / 2);
  }

  /** Top: from above (x right, y up on screen). Side: from -y (x right, z up). Front: from +x, looking back along -x. */
  setView(view: ViewName): void {
    const c = this.center();
    const d = (this.radius() / Math.tan((this.camera.fov * Math.PI) / 360)) * 1.05;
    const offsets: Record<ViewName, [number, number, number]> = {
      top: [0, -d * 1e-4, d],
      side: [0, -d, 0],
      front: [d, 0, 0],
      perspective: [-d * 0.6, -d * 0.6, d * 0.5],
    };
    const [ox, oy, oz] = offsets[view];
    this.controls.target.copy(c);
    this.camera.position.set(c.x + ox, c.y + oy, c.z + oz);
    this.camera.lookAt(c);
    this.controls.update();
    this.requestRender();
  }

  /** Centres the view on one annotation, keeping the viewing direction. */
  focus(a: Annotation3D): void {
    let target: Vector3;
    let size: number;
    if (isCuboid(a)) {
      target = new Vector3(a.position.x, a.position.y, a.position.z);
      size = Math.hypot(a.dimensions.x, a.dimensions.y, a.dimensions.z);
    } else {
      const n = a.points.length;
      target = new Vector3(...[0, 1, 2].map((k) => a.points.reduce((s, p) => s + (p[k] ?? 0), 0) / n) as [number, number, number]);
      size = 4;
    }
    const dir = this.camera.position.clone().sub(this.controls.target).normalize();
    this.controls.target.copy(target);
    this.camera.position.copy(target).addScaledVector(dir, Math.max(3, size * 2.5));
    this.controls.update();
    this.requestRender();
  }

  /** Moves the camera toward (factor < 1) or away from (factor > 1) the target. */
  zoom(factor: number): void {
    const offset = this.camera.position.clone().sub(this.controls.target).multiplyScalar(factor);
    this.camera.position.copy(this.controls.target).add(offset);
    this.controls.update();
    this.requestRender();
  }

  cuboidCount(): number {
    return this.annotations.children.filter((o) => o instanceof LineSegments).length;
  }

  requestRender(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      const t0 = performance.now();
      this.renderer.render(this.scene, this.camera);
      this.lastRenderMs = performance.now() - t0;
      this.frames++;
      this.host.dataset.frames = String(this.frames);
    });
  }

  dispose(): void {
    this.controls.dispose();
    this.points?.geometry.dispose();
    this.material.dispose();
    this.setAnnotations([], () => [0, 0, 0]);
    this.renderer.dispose();
    this.renderer.domElement.remove();
  }
}
