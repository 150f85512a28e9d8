import { redirect } from 'next/navigation';

export default async function ProjectHome({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  redirect(`/projects/${slug}/settings/api-keys`);
}
